// The custom sink + block CUDA kernel (attention/cuda/sink_block_attention.cu) against the dense
// reference executor (CPU, float64) on PEVLM plans: out rows of every context block, and the lse
// (recomputed here in float64 from the plan's dense mask). Inputs bf16 as the kernel requires.
// Tolerances: out as the bf16 executor tests (NMSE <= 4 u^2, max-abs <= 8 u max(1, max|ref|),
// u = 2^-8); lse max-abs <= 1e-3 (fp32 accumulation over <= 1k keys, logits O(10)).
// Without a CUDA device (the project's build machines) the GPU cases report SKIPPED with the reason;
// parameter validation runs everywhere (it throws before touching the device).
#include <ATen/ATen.h>
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <cmath>

#include "attention/batched/batch_grouping.h"
#include "attention/cuda/sink_block_attention.h"
#include "attention/executor.h"
#include "tests/methods_test_util.h"

namespace pevlm {
namespace {

using attention::cuda::SinkBlockParams;

// Empty string when a device is usable, else why not.
std::string no_device_reason() {
  int n = 0;
  const cudaError_t err = cudaGetDeviceCount(&n);
  if (err != cudaSuccess) return std::string("no CUDA device: ") + cudaGetErrorString(err);
  if (n == 0) return "no CUDA device: cudaGetDeviceCount() = 0";
  return "";
}

void check_cuda(cudaError_t err, const char* what) {
  if (err != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(err));
}

// A device copy of a contiguous CPU tensor, freed on scope exit.
struct DeviceBuffer {
  void* ptr = nullptr;
  size_t bytes = 0;
  explicit DeviceBuffer(size_t n) : bytes(n) { check_cuda(cudaMalloc(&ptr, n), "cudaMalloc"); }
  explicit DeviceBuffer(const at::Tensor& t) : DeviceBuffer(size_t(t.nbytes())) {
    check_cuda(cudaMemcpy(ptr, t.data_ptr(), bytes, cudaMemcpyHostToDevice), "cudaMemcpy H2D");
  }
  ~DeviceBuffer() { cudaFree(ptr); }
  void to_host(const at::Tensor& t) const {
    check_cuda(cudaMemcpy(t.data_ptr(), ptr, bytes, cudaMemcpyDeviceToHost), "cudaMemcpy D2H");
  }
};

// The run of context blocks that see the sink, from the plan's batched schedule.
attention::batched::BlockRun sink_block_run(const AttentionPlan& plan) {
  for (const auto& run : attention::batched::schedule_plan(plan).runs)
    if (run.shared.size() == 1) return run;
  throw std::runtime_error("plan has no run of blocks sharing one sink range");
}

void run_case(int64_t hq, int64_t hkv, int64_t d, int64_t sink_frames, int64_t block_frames, int64_t tpf) {
  TokenLayout layout = make_synthetic_layout(SyntheticLayoutSpec{7, 11, tpf, 9, false, 1, tpf, 1});
  AttentionPlan plan = testing::plan_for({{"name", "pevlm"}, {"sink_frames", sink_frames}, {"block_frames", block_frames}}, layout);
  const auto run = sink_block_run(plan);
  const int64_t L = layout.length, rows = run.end - run.begin, bs = run.blocks.front().size;
  const std::string ctx = "Hq=" + std::to_string(hq) + " Hkv=" + std::to_string(hkv) + " D=" + std::to_string(d) +
                          " sink=" + std::to_string(run.shared[0].size()) + " block=" + std::to_string(bs) + " rows=" +
                          std::to_string(rows);
  at::manual_seed(11);
  at::Tensor q = at::randn({L, hq, d}).to(at::kBFloat16), k = at::randn({L, hkv, d}).to(at::kBFloat16),
             v = at::randn({L, hkv, d}).to(at::kBFloat16);
  const double scale = 1.0 / std::sqrt(double(d));
  DeviceBuffer dq(q), dk(k), dv(v), dout(size_t(q.nbytes())), dlse(size_t(hq * rows * 4));
  SinkBlockParams p;
  p.q = dq.ptr, p.k = dk.ptr, p.v = dv.ptr, p.out = dout.ptr, p.lse = static_cast<float*>(dlse.ptr);
  p.q_token_stride = p.out_token_stride = hq * d, p.q_head_stride = p.out_head_stride = d;
  p.k_token_stride = p.v_token_stride = hkv * d, p.k_head_stride = p.v_head_stride = d;
  p.num_q_heads = hq, p.num_kv_heads = hkv, p.head_dim = d;
  p.sink_begin = run.shared[0].begin, p.sink_len = run.shared[0].size();
  p.ctx_begin = run.begin, p.ctx_len = rows, p.block_size = bs, p.scale = float(scale);
  attention::cuda::launch_sink_block_attention(p, nullptr);
  check_cuda(cudaDeviceSynchronize(), "kernel");
  at::Tensor out = at::zeros_like(q), lse = at::empty({hq, rows}, at::kFloat);
  dout.to_host(out);
  dlse.to_host(lse);

  at::Tensor want = attention::make_executor("reference")->prefill(plan, {q, k, v}).narrow(0, run.begin, rows);
  at::Tensor got = out.narrow(0, run.begin, rows);
  at::Tensor g = got.to(at::kDouble), r = want.to(at::kDouble);
  const double u = std::ldexp(1.0, -8);
  EXPECT_LE((g - r).pow(2).sum().item<double>() / r.pow(2).sum().item<double>(), 4 * u * u) << ctx;
  EXPECT_LE((g - r).abs().max().item<double>(), 8 * u * std::max(1.0, r.abs().max().item<double>())) << ctx;

  // lse in float64 from the dense mask: logsumexp over visible keys of scale * q.k.
  const std::vector<uint8_t> m = plan.dense_mask();
  at::Tensor mask = at::from_blob(const_cast<uint8_t*>(m.data()), {L, L}, at::kByte).narrow(0, run.begin, rows).to(at::kBool);
  at::Tensor qd = q.narrow(0, run.begin, rows).to(at::kDouble).permute({1, 0, 2});
  at::Tensor kd = k.to(at::kDouble).permute({1, 0, 2}).repeat_interleave(hq / hkv, 0);
  at::Tensor s = at::matmul(qd, kd.transpose(1, 2)) * scale;
  s = s.masked_fill(mask.logical_not().unsqueeze(0), -std::numeric_limits<double>::infinity());
  EXPECT_LE((lse.to(at::kDouble) - at::logsumexp(s, -1)).abs().max().item<double>(), 1e-3) << ctx;
}

TEST(CudaSinkBlock, MatchesReferenceOnPevlmPlans) {
  if (const std::string why = no_device_reason(); !why.empty()) GTEST_SKIP() << why;
  run_case(8, 2, 128, 2, 3, 37);  // sink 81 tokens, blocks of 111, last block 74
  run_case(4, 4, 64, 1, 4, 20);   // MHA, D 64, sink 27, blocks of 80, last 40
  run_case(28, 4, 128, 3, 2, 50); // 7B head layout, last block of 2 frames
}

TEST(CudaSinkBlock, RejectsBadParametersBeforeLaunch) {
  // Validation is host code: it runs (and must throw) with or without a device.
  SinkBlockParams p;
  int dummy = 0;
  EXPECT_THROW(attention::cuda::launch_sink_block_attention(p, nullptr), std::invalid_argument);  // null pointers
  p.q = p.k = p.v = p.out = &dummy;
  p.lse = reinterpret_cast<float*>(&dummy);
  p.num_q_heads = 8, p.num_kv_heads = 3, p.head_dim = 128, p.block_size = 16, p.ctx_len = 32, p.scale = 0.1f;
  try {
    attention::cuda::launch_sink_block_attention(p, nullptr);
    ADD_FAILURE() << "8 query heads over 3 KV heads accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("num_kv_heads"), std::string::npos) << e.what();
  }
  p.num_kv_heads = 2, p.head_dim = 96;
  EXPECT_THROW(attention::cuda::launch_sink_block_attention(p, nullptr), std::invalid_argument);  // head_dim
  p.head_dim = 64, p.sink_begin = 0, p.sink_len = 40, p.ctx_begin = 20;
  EXPECT_THROW(attention::cuda::launch_sink_block_attention(p, nullptr), std::invalid_argument);  // sink overlaps rows
}

}  // namespace
}  // namespace pevlm
