// The default `cpu` executor: the fused parallel-encoding kernel (fused_kernel.h) for prefill,
// Star's redundant re-encoding (computed, dropped) and decode. The per-piece executor it replaced
// stays as `cpu_pieces` (cpu_executor.cpp) as a reference and for comparison.
//
// Memory beyond Q, K, V and the output: the packed K/V of the call, 2 x Lp x Hkv x D elements
// (4 bytes on the fp32 GEMM path, 2 on the bf16 one; Lp = L plus < 16 keys of padding per piece of
// the key layout, key_layout.h) -- 128 MiB at 32k tokens and the 7B shape on the fp32 path, kept
// between calls as the executor's workspace (sized by its largest call) -- a contiguous copy of Q only when the caller passes
// a strided view, and per thread O(tile): ~1 MB. No L x L buffer anywhere. Decode of up to
// kDirectDecodeMaxTokens tokens packs nothing: it reads the cache in place (decode_direct.h), with
// O(rows x D) partial states per 2048-key chunk.
#include <ATen/ATen.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <stdexcept>

#include "attention/executors.h"
#include "attention/fused/amx_windows.h"
#include "attention/fused/sparse_segments.h"
#include "attention/fused/decode_direct.h"
#include "attention/cpu_caps.h"
#include "attention/fused/fused_kernel.h"
#include "attention/fused/output_recycler.h"
#include "attention/fused/tile_gemm.h"
#include "attention/fused/tile_softmax.h"

namespace pevlm::attention {
namespace {

using fused::GemmPath;

class FusedCpuExecutor final : public Executor {
 public:
  std::string name() const override { return "cpu"; }

  // Names the kernel and the GEMM path that ran (the bf16 choice before any call).
  std::string kernel() const override {
    std::lock_guard<std::mutex> lock(mu_);
    const fused::GemmChoice& c = fused::bf16_gemm_choice();
    std::string s = "fused_plan_flash_cpu(softmax " + std::string(fused::softmax_tile_isa()) + " [" +
                    cpu_caps().isa_reason + "]; ";
    if (ran_f32_inputs_) s += "fp32 inputs: " + fused::gemm_path_name(GemmPath::F32) + "; ";
    if (ran_bf16_inputs_ || !ran_f32_inputs_)
      s += "bf16 inputs: " + fused::gemm_path_name(c.path) + (c.path == GemmPath::F32 ? " on up-converted tiles" : "") +
           " [" + c.reason + "]; ";
    s += "q tile " + std::to_string(fused::kTargetRows) + " rows x key tile " + std::to_string(fused::kKeyTile);
    if (ran_direct_decode_)
      s += "; decode <= " + std::to_string(fused::kDirectDecodeMaxTokens) + " tokens: direct from the cache, " +
           std::to_string(fused::kDirectDecodeChunk) + "-key chunks";
    return s + ")";
  }

  at::Tensor prefill(const AttentionPlan& plan, const AttentionInputs& in) override {
    check_static_plan(plan, name());
    check_inputs(in, plan.length, plan.length);
    const std::vector<fused::Segment> segments = fused::prefill_segments(plan);
    return run(in, segments, plan.groups, fused::make_key_layout(segments, in.k_LHD.size(0)));
  }

  // Per-head sparse plans (issue 25): every head's query blocks are one-head segments of one fused
  // call (sparse_segments.h): K/V packed once, uncut, with each head's single columns gathered into
  // a region (key_layout.h), short ranges and columns sharing gathered key windows (key_windows.h).
  std::string sparse_kernel() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return last_sparse_kernel_;
  }
  at::Tensor prefill_sparse(const SparsePlan& plan, const AttentionInputs& in) override {
    check_inputs(in, plan.length, plan.length);
    if (plan.num_heads != in.q_LHD.size(1))
      throw std::invalid_argument("cpu prefill_sparse: plan for " + std::to_string(plan.num_heads) + " heads, Q has " +
                                  std::to_string(in.q_LHD.size(1)));
    const std::vector<fused::Segment> segments = fused::sparse_segments(plan);
    const int64_t hpg = in.q_LHD.size(1) / in.k_LHD.size(1);
    {
      std::lock_guard<std::mutex> lock(mu_);
      last_sparse_kernel_ = "fused_plan_flash_cpu per head (block-sparse: gathered key windows, column regions; " +
                            sparse_window_gemm(in) + ")";
    }
    static const std::vector<LogitGroup> plain{LogitGroup{}};
    return run(in, segments, plain, fused::make_uncut_key_layout(segments, in.k_LHD.size(0), hpg), use_amx_windows(in));
  }

  // The PV of gathered windows on the bf16 VNNI path: our AMX batch-reduce (amx_windows.h) or
  // cpublas::brgemm per chunk; the row's kernel column says which.
  static bool bf16_vnni(const AttentionInputs& in) {
    return in.q_LHD.scalar_type() == at::kBFloat16 && fused::bf16_gemm_choice().path == GemmPath::Bf16Vnni;
  }
  static bool use_amx_windows(const AttentionInputs& in) { return bf16_vnni(in) && fused::amx_windows_choice().on; }
  static std::string sparse_window_gemm(const AttentionInputs& in) {
    if (use_amx_windows(in))
      return "gathered-window PV: own AMX batch-reduce over chunks [" + fused::amx_windows_choice().reason +
             "], QK^T and other windows cpublas::brgemm";
    return "cpublas::brgemm per chunk" + (bf16_vnni(in) ? " [AMX PV " + fused::amx_windows_choice().reason + "]" : std::string());
  }

  at::Tensor decode(const AttentionPlan& plan, const AttentionInputs& in) override {
    const int64_t n = in.q_LHD.size(0), total = in.k_LHD.size(0), past = total - n;
    check_inputs(in, n, total);
    if (past < plan.length) throw std::invalid_argument("decode: cache shorter than the prefill");
    const std::vector<fused::Segment> segments = fused::decode_segments(plan, n, past);
    if (n > fused::kDirectDecodeMaxTokens) return run(in, segments, plan.groups, fused::make_key_layout(segments, total));
    // A few tokens read the cache in place (no per-step copy of it): decode_direct.h.
    {
      std::lock_guard<std::mutex> lock(mu_);
      ran_direct_decode_ = true;
    }
    at::Tensor out = at::empty(in.q_LHD.sizes(), in.q_LHD.options().memory_format(at::MemoryFormat::Contiguous));
    fused::decode_direct(in.q_LHD, in.k_LHD, in.v_LHD, segments.front(), resolved_scale(in), plan.groups, out);
    return out;
  }

 private:
  at::Tensor run(const AttentionInputs& in, const std::vector<fused::Segment>& segments, const std::vector<LogitGroup>& groups,
                 const fused::KeyLayout& layout, bool amx_windows = false) {
    const bool bf16 = in.q_LHD.scalar_type() == at::kBFloat16;
    const GemmPath path = bf16 ? fused::bf16_gemm_choice().path : GemmPath::F32;
    {
      std::lock_guard<std::mutex> lock(mu_);
      (bf16 ? ran_bf16_inputs_ : ran_f32_inputs_) = true;
    }
    const auto t0 = std::chrono::steady_clock::now();
    // The packing buffers are kept for the next call (all layers of a model share one executor); a
    // concurrent call on the same executor (two decode pipelines) packs into fresh memory instead.
    std::unique_lock<std::mutex> workspace_lock(workspace_mu_, std::try_to_lock);
    const fused::PackedKv kv = fused::pack_kv(in.k_LHD, in.v_LHD, path, layout, workspace_lock.owns_lock() ? &workspace_ : nullptr);
    const auto t1 = std::chrono::steady_clock::now();
    fused::KernelInputs k;
    k.q_LHD = in.q_LHD.contiguous();
    k.kv = &kv;
    k.layout = &layout;
    k.scale = resolved_scale(in);
    k.groups = &groups;
    k.out_LHD = outputs_.take(in.q_LHD.sizes(), in.q_LHD.options());
    k.amx_windows = amx_windows;
    fused::run_fused(k, segments);
    if (std::getenv("PEVLM_FUSED_TRACE"))
      std::fprintf(stderr, "[fused] pack %.1f ms, kernel %.1f ms\n", std::chrono::duration<double, std::milli>(t1 - t0).count(),
                   std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1).count());
    return k.out_LHD;
  }

  mutable std::mutex mu_;
  std::string last_sparse_kernel_ = "none yet";
  std::mutex workspace_mu_;
  fused::PackWorkspace workspace_;
  fused::OutputRecycler outputs_;
  bool ran_bf16_inputs_ = false, ran_f32_inputs_ = false, ran_direct_decode_ = false;
};

}  // namespace

std::unique_ptr<Executor> make_fused_cpu_executor() { return std::make_unique<FusedCpuExecutor>(); }

}  // namespace pevlm::attention
