// `cpu_pieces` executor (the default `cpu` executor until issue 15; now the reference the fused
// kernel in fused/ is compared against): each (query range, key range) piece of the plan runs through libtorch's fused CPU
// flash-attention kernel (tiled, online softmax, fp32 accumulation, GQA by head index without
// repeating K/V, memory O(tile) per thread); pieces of one query range merge by log-sum-exp in
// fp32 (attention/lse_merge.h), which also applies APE's group rule. Never materialises L x L.
// machine.md: a libtorch-op-per-tile softmax reached only 0.13-0.25 of the GEMM limit, the fused
// kernel per piece is the way to 0.4-0.6.
#include <ATen/ATen.h>

#include <stdexcept>

#include "attention/executors.h"
#include "attention/lse_merge.h"

namespace pevlm::attention {
namespace {

// [n, H, D] rows of a token-major tensor as the kernel's [1, H, n, D] view (no copy).
at::Tensor as_bhnd(const at::Tensor& x_LHD, int64_t begin, int64_t n) {
  return x_LHD.narrow(0, begin, n).permute({1, 0, 2}).unsqueeze(0);
}

// Attention of queries q_nHD against one key range: (out_HND, lse_HN float32).
PartialAttention run_piece(const at::Tensor& q_nHD, const AttentionInputs& in, const KeyRange& k, double scale,
                           const LogitGroup& group) {
  at::Tensor q = q_nHD.permute({1, 0, 2}).unsqueeze(0);
  auto [out, lse] = at::_scaled_dot_product_flash_attention_for_cpu(
      q, as_bhnd(in.k_LHD, k.begin, k.size()), as_bhnd(in.v_LHD, k.begin, k.size()), /*dropout_p=*/0.0,
      /*is_causal=*/k.causal, /*attn_mask=*/std::nullopt, /*scale=*/scale / group.temperature);
  return PartialAttention{out.squeeze(0), lse.squeeze(0), k.group};
}

// All key ranges of one query block, merged; written into out_LHD rows [q_begin, q_begin + n).
void run_query_range(const at::Tensor& q_nHD, const std::vector<KeyRange>& keys, const std::vector<LogitGroup>& groups,
                     const AttentionInputs& in, double scale, at::Tensor& out_nHD) {
  std::vector<PartialAttention> parts;
  parts.reserve(keys.size());
  for (const KeyRange& k : keys) parts.push_back(run_piece(q_nHD, in, k, scale, groups.at(size_t(k.group))));
  at::Tensor merged_HND = parts.size() == 1 && groups[size_t(parts[0].group)].weight_exponent == 1.0
                              ? parts[0].out_HND
                              : merge_partials(parts, groups);
  out_nHD.copy_(merged_HND.permute({1, 0, 2}));
}

class CpuPiecesExecutor final : public Executor {
 public:
  std::string name() const override { return "cpu_pieces"; }
  std::string kernel() const override { return "aten_flash_attention_cpu+lse_merge"; }

  at::Tensor prefill(const AttentionPlan& plan, const AttentionInputs& in) override {
    check_static_plan(plan, name());
    check_inputs(in, plan.length, plan.length);
    const double scale = resolved_scale(in);
    at::Tensor out_LHD = at::empty(in.q_LHD.sizes(), in.q_LHD.options().memory_format(at::MemoryFormat::Contiguous));
    for (const QueryRange& q : plan.queries) {
      at::Tensor out_rows = out_LHD.narrow(0, q.begin, q.size());
      run_query_range(in.q_LHD.narrow(0, q.begin, q.size()), q.keys, plan.groups, in, scale, out_rows);
    }
    // Work the original method repeats (Star's anchor re-encoding): computed, then dropped.
    for (const QueryRange& r : plan.redundant) run_piece(in.q_LHD.narrow(0, r.begin, r.size()), in, r.keys[0], scale, plan.groups[0]);
    return out_LHD;
  }

  at::Tensor decode(const AttentionPlan& plan, const AttentionInputs& in) override {
    const int64_t n = in.q_LHD.size(0), total = in.k_LHD.size(0), past = total - n;
    check_inputs(in, n, total);
    if (past < plan.length) throw std::invalid_argument("decode: cache shorter than the prefill");
    std::vector<KeyRange> keys = plan.decode_keys;
    if (past > plan.length) keys.push_back(KeyRange{plan.length, past, false, 0});
    keys.push_back(KeyRange{past, total, true, 0});  // the new tokens, causal among themselves
    at::Tensor out_LHD = at::empty(in.q_LHD.sizes(), in.q_LHD.options().memory_format(at::MemoryFormat::Contiguous));
    run_query_range(in.q_LHD, keys, plan.groups, in, resolved_scale(in), out_LHD);
    return out_LHD;
  }
};

}  // namespace

std::unique_ptr<Executor> make_cpu_pieces_executor() { return std::make_unique<CpuPiecesExecutor>(); }

}  // namespace pevlm::attention
