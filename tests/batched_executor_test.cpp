// The batched executor ("batched", attention/batched/) equals the dense reference on every method,
// on CPU (the same ATen calls run on CUDA in the GPU build). Sweep and tolerances mirror
// tests/executor_test.cpp (the reference runs in float64 on the same rounded inputs):
//   fp32: NMSE <= 1e-10, max-abs <= 1e3 u max(1, max|ref|), u = 2^-24
//   bf16: NMSE <= 4 u^2,  max-abs <= 8 u max(1, max|ref|),  u = 2^-8
// Block sizes are chosen so they do not divide the context (a partial last block every time).
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>

#include "attention/batched/batched_executor.h"
#include "attention/batched/sdpa_backend.h"
#include "attention/executor.h"
#include "tests/attention_test_util.h"
#include "tests/methods_test_util.h"

namespace pevlm {
namespace {

void expect_close(const at::Tensor& got, const at::Tensor& ref, at::ScalarType dtype, const std::string& ctx) {
  testing::expect_attention_close(got, ref, dtype, ctx);
}

std::vector<nlohmann::json> all_methods() { return testing::executor_sweep_methods(); }

TEST(BatchedExecutor, MatchesReferenceEveryMethod) {
  at::manual_seed(0);
  struct Shape {
    int64_t hq, hkv, d, frames, tpf;
  };
  // Lengths 7 + frames * tpf + 9: 216, 331, 331 (not multiples of any block size above).
  const std::vector<Shape> shapes = {{4, 4, 64, 8, 25}, {8, 2, 128, 5, 63}, {6, 3, 64, 9, 35}};
  auto ref = attention::make_executor("reference");
  auto batched = attention::make_batched_executor();
  for (const Shape& s : shapes) {
    TokenLayout layout = make_synthetic_layout(SyntheticLayoutSpec{7, s.frames, s.tpf, 9, false, 1, s.tpf, 1});
    for (at::ScalarType dtype : {at::kFloat, at::kBFloat16}) {
      const int64_t L = layout.length;
      at::Tensor q = at::randn({L, s.hq, s.d}).to(dtype), k = at::randn({L, s.hkv, s.d}).to(dtype),
                 v = at::randn({L, s.hkv, s.d}).to(dtype);
      for (const auto& entry : all_methods()) {
        AttentionPlan plan = testing::plan_for(entry, layout);
        const std::string ctx = entry.dump() + " L=" + std::to_string(L) + " Hq=" + std::to_string(s.hq) + " Hkv=" +
                                std::to_string(s.hkv) + " D=" + std::to_string(s.d) + " " + c10::toString(dtype);
        at::Tensor got = batched->prefill(plan, {q, k, v});
        ASSERT_EQ(got.sizes(), q.sizes()) << ctx;
        ASSERT_EQ(got.scalar_type(), dtype) << ctx;
        expect_close(got, ref->prefill(plan, {q, k, v}), dtype, ctx);
        EXPECT_EQ(batched->kernel(), "batched[aten_flash_attention_cpu]+lse_merge") << ctx;
      }
    }
  }
}

TEST(BatchedExecutor, StridedInputsFromOneQkvProjection) {
  // Projections often come out as one [L, (Hq + 2 Hkv) * D] tensor; q/k/v are then strided views.
  at::manual_seed(3);
  TokenLayout layout = make_synthetic_layout(SyntheticLayoutSpec{5, 7, 30, 6, false, 1, 30, 1});
  const int64_t L = layout.length, hq = 8, hkv = 2, d = 64;
  at::Tensor qkv = at::randn({L, (hq + 2 * hkv) * d});
  at::Tensor q = qkv.narrow(1, 0, hq * d).view({L, hq, d}), k = qkv.narrow(1, hq * d, hkv * d).view({L, hkv, d}),
             v = qkv.narrow(1, (hq + hkv) * d, hkv * d).view({L, hkv, d});
  AttentionPlan plan = testing::plan_for({{"name", "pevlm"}, {"sink_frames", 1}, {"block_frames", 2}}, layout);
  expect_close(attention::make_batched_executor()->prefill(plan, {q, k, v}),
               attention::make_executor("reference")->prefill(plan, {q, k, v}), at::kFloat, "strided qkv");
}

TEST(BatchedExecutor, DecodeMatchesReference) {
  at::manual_seed(1);
  testing::expect_decode_matches_reference(*attention::make_batched_executor());
}

TEST(BatchedExecutor, RejectsBadInputs) {
  auto batched = attention::make_batched_executor();
  EXPECT_EQ(batched->name(), "batched");
  EXPECT_EQ(batched->kernel(), "batched[not run yet]+lse_merge");
  AttentionPlan plan = make_full_plan(make_synthetic_layout(SyntheticLayoutSpec{2, 1, 4, 2, false, 1, 4, 1}));
  EXPECT_THROW(batched->prefill(plan, {at::randn({8, 3, 8}), at::randn({8, 2, 8}), at::randn({8, 2, 8})}),
               std::invalid_argument);
  EXPECT_THROW(batched->prefill(plan, {at::randn({7, 2, 8}), at::randn({7, 2, 8}), at::randn({7, 2, 8})}),
               std::invalid_argument);
  EXPECT_THROW(batched->decode(plan, {at::randn({1, 2, 8}), at::randn({5, 2, 8}), at::randn({5, 2, 8})}),
               std::invalid_argument);  // cache shorter than the prefill
}

TEST(BatchedExecutor, KernelFailureNamesTheKernel) {
  // No silent fallback: a call the fused kernel rejects (head_dim of q 16, of k/v 8) surfaces as an
  // error naming the kernel; shapes the backend itself can reject are caught first.
  at::Tensor q = at::randn({1, 2, 5, 16}), k = at::randn({1, 2, 5, 8});
  try {
    attention::batched::attend(q, k, k, false, 0.25);
    ADD_FAILURE() << "mismatched head_dim accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("aten_flash_attention_cpu"), std::string::npos) << e.what();
  }
  EXPECT_THROW(attention::batched::attend(at::randn({1, 2, 5, 8}), at::randn({1, 2, 6, 8}), at::randn({1, 2, 6, 8}), true, 1.0),
               std::invalid_argument);  // causal must be square
  EXPECT_THROW(attention::batched::attend(at::randn({1, 3, 5, 8}), k, k, false, 1.0), std::invalid_argument);  // GQA
  const auto a = attention::batched::attend(at::randn({2, 4, 5, 8}), at::randn({2, 2, 7, 8}), at::randn({2, 2, 7, 8}), false, 1.0);
  EXPECT_EQ(a.kernel, "aten_flash_attention_cpu");
  EXPECT_EQ(a.out_BHnD.sizes(), (std::vector<int64_t>{2, 4, 5, 8}));
  EXPECT_EQ(a.lse_BHn.sizes(), (std::vector<int64_t>{2, 4, 5}));
  EXPECT_EQ(a.lse_BHn.scalar_type(), at::kFloat);
}

// Speed on the 7B layer shape (Hq 28, Hkv 4, D 128, bf16), PEVLM sys+16f/16f at ~8k tokens,
// against the per-range "cpu" executor. Opt-in (PEVLM_PERF=1): it takes a minute on 2 cores.
TEST(BatchedExecutor, SpeedVsCpuExecutorPevlm8k) {
  if (std::getenv("PEVLM_PERF") == nullptr) GTEST_SKIP() << "timing run; set PEVLM_PERF=1 to measure";
  // 14 system tokens + 84 frames x 96 tokens + 114 question tokens = 8192; sink = sys + 16 frames
  // (1550 tokens), 4 blocks of 16 frames (1536) + one of 4 frames (384).
  TokenLayout layout = make_synthetic_layout(SyntheticLayoutSpec{14, 84, 96, 114, false, 1, 96, 1});
  AttentionPlan plan = testing::plan_for({{"name", "pevlm"}, {"sink_frames", 16}, {"block_frames", 16}}, layout);
  const int64_t L = layout.length;
  at::manual_seed(4);
  at::Tensor q = at::randn({L, 28, 128}).to(at::kBFloat16), k = at::randn({L, 4, 128}).to(at::kBFloat16),
             v = at::randn({L, 4, 128}).to(at::kBFloat16);
  auto time_best = [&](attention::Executor& ex, at::Tensor& out) {
    double best = 1e30;
    for (int rep = 0; rep < 3; ++rep) {
      auto t0 = std::chrono::steady_clock::now();
      out = ex.prefill(plan, {q, k, v});
      best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
  };
  auto cpu = attention::make_executor("cpu");
  auto batched = attention::make_batched_executor();
  at::Tensor out_cpu, out_batched;
  const double t_cpu = time_best(*cpu, out_cpu), t_batched = time_best(*batched, out_batched);
  const double gflop = plan.flops(28, 128) / 1e9;
  std::printf("[perf] pevlm sys+16f/16f L=%lld bf16 28/4x128: %.2f GFLOP; cpu %.3f s (%.0f GFLOP/s), batched %.3f s "
              "(%.0f GFLOP/s), speedup %.2fx\n",
              (long long)L, gflop, t_cpu, gflop / t_cpu, t_batched, gflop / t_batched, t_cpu / t_batched);
  // Both executors round differently only in the merge order: same bf16 tolerance as above, cpu as reference.
  expect_close(out_batched, out_cpu, at::kBFloat16, "batched vs cpu at 8k");
}

}  // namespace
}  // namespace pevlm
