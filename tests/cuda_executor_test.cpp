// The CUDA executors ("cuda": libtorch fused kernels; "cuda_sink_kernel": + the custom sink+block
// kernel) against the dense reference executor on CPU, every method, bf16 and fp32 (built only
// with -DPEVLM_CUDA=ON). Tolerances as tests/executor_test.cpp (float64 reference on the same
// rounded inputs): fp32 NMSE <= 1e-10 / max-abs 1e3 u (u = 2^-24) -- TF32 is not used by these
// kernels; bf16 NMSE <= 4 u^2 / max-abs 8 u (u = 2^-8). SKIPPED with the reason without a device.
#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <gtest/gtest.h>

#include <cmath>

#include "attention/cuda/cuda_executor.h"
#include "attention/cuda/cuda_timer.h"
#include "attention/cuda/sink_kernel_scope.h"
#include "attention/executor.h"
#include "attention/sparse_dispatch.h"
#include "methods/method_registry.h"
#include "methods/sparse/sparse_estimator.h"
#include "tests/attention_test_util.h"
#include "tests/methods_test_util.h"

namespace pevlm {
namespace {

void expect_close(const at::Tensor& got, const at::Tensor& ref, at::ScalarType dtype, const std::string& ctx) {
  testing::expect_attention_close(got, ref, dtype, ctx);  // copies to the CPU first
}

std::vector<nlohmann::json> methods() {
  return {{{"name", "full"}},
          {{"name", "block_attention"}, {"block_tokens", 37}},
          {{"name", "ape"}, {"prefix_frames", 1}, {"block_frames", 2}, {"temperature", 0.5}, {"scale", 1.3}},
          {{"name", "star"}, {"block_tokens", 45}, {"anchor_tokens", 20}},
          {{"name", "pevlm"}, {"sink_frames", 2}, {"block_frames", 3}},
          {{"name", "pevlm"}, {"sink_tokens", 30}, {"block_tokens", 41}, {"positions", "reuse"}}};
}

#define SKIP_WITHOUT_CUDA() \
  if (!at::hasCUDA()) GTEST_SKIP() << "no CUDA device visible to libtorch (at::hasCUDA() is false)"

TEST(CudaExecutor, MatchesReferenceEveryMethod) {
  SKIP_WITHOUT_CUDA();
  at::manual_seed(0);
  TokenLayout layout = make_synthetic_layout(SyntheticLayoutSpec{7, 5, 63, 9, false, 1, 63, 1});  // L = 331
  auto ref = attention::make_executor("reference");
  for (bool custom : {false, true}) {
    auto ex = attention::make_cuda_executor(custom);
    for (at::ScalarType dtype : {at::kBFloat16, at::kFloat}) {
      const int64_t L = layout.length;
      at::Tensor q = at::randn({L, 8, 128}).to(dtype), k = at::randn({L, 2, 128}).to(dtype), v = at::randn({L, 2, 128}).to(dtype);
      for (const auto& entry : methods()) {
        AttentionPlan plan = testing::plan_for(entry, layout);
        at::Tensor got = ex->prefill(plan, {q.cuda(), k.cuda(), v.cuda()});
        const std::string ctx = ex->name() + " " + entry.dump() + " " + c10::toString(dtype) + " kernel " + ex->kernel();
        expect_close(got, ref->prefill(plan, {q, k, v}), dtype, ctx);
        // The kernel takes bf16 runs with one shared key range in the blocks' logit group (PEVLM's
        // sink, Star's anchor, APE's prefix, the question after Block-Attention's blocks), never full
        // attention: the rule the executor applies, checked per method on the CPU by sink_kernel_scope_test.
        const bool want_custom = custom && dtype == at::kBFloat16 && attention::cuda::sink_kernel_takes_plan(plan);
        EXPECT_EQ(ex->kernel().find("pevlm_sink_block_attention_cuda") != std::string::npos, want_custom) << ctx;
      }
    }
  }
}

TEST(CudaExecutor, DecodeMatchesReferenceAndRejectsCpuTensors) {
  SKIP_WITHOUT_CUDA();
  at::manual_seed(1);
  TokenLayout layout = make_synthetic_layout(SyntheticLayoutSpec{6, 6, 20, 5, false, 1, 20, 1});
  auto ex = attention::make_cuda_executor(false);
  auto ref = attention::make_executor("reference");
  AttentionPlan plan = testing::plan_for(methods()[2], layout);
  const int64_t L = layout.length;
  at::Tensor q = at::randn({2, 8, 64}).to(at::kBFloat16), k = at::randn({L + 2, 2, 64}).to(at::kBFloat16),
             v = at::randn({L + 2, 2, 64}).to(at::kBFloat16);
  expect_close(ex->decode(plan, {q.cuda(), k.cuda(), v.cuda()}), ref->decode(plan, {q, k, v}), at::kBFloat16, "decode");
  EXPECT_THROW(ex->prefill(plan, {at::randn({L, 8, 64}), at::randn({L, 2, 64}), at::randn({L, 2, 64})}), std::invalid_argument);
}

// Per-head sparse plans (issue 25 item 5): the gathered-blocks path (sparse_gather_index.h, tested
// against the dense masks on the CPU) on the device, every estimator's plan, odd length, GQA groups
// whose heads keep different blocks; the kernel the row records names the device.
TEST(CudaExecutor, SparsePlansMatchReferenceAndNameTheKernel) {
  SKIP_WITHOUT_CUDA();
  at::manual_seed(4);
  const int64_t L = 301, hq = 6, hkv = 2, d = 64;
  auto ref = attention::make_executor("reference");
  for (bool custom : {false, true}) {
    auto ex = attention::make_cuda_executor(custom);
    for (at::ScalarType dtype : {at::kBFloat16, at::kFloat}) {
      at::Tensor q = at::randn({L, hq, d}).to(dtype), k = at::randn({L, hkv, d}).to(dtype), v = at::randn({L, hkv, d}).to(dtype);
      const std::vector<SparsePlan> plans = {xattention_estimate(q, k, 32, 8, 0.9).plan, vertical_slash_estimate(q, k, 31, 100, 64).plan,
                                             make_forced_density_plan(L, hq, 64, 0.4, 3), make_dense_sparse_plan(L, hq, 64)};
      for (const SparsePlan& p : plans) {
        const std::string ctx = ex->name() + " " + p.method + " " + c10::toString(dtype);
        expect_close(ex->prefill_sparse(p, {q.cuda(), k.cuda(), v.cuda()}), ref->prefill_sparse(p, {q, k, v}), dtype, ctx);
        EXPECT_NE(ex->sparse_kernel().find("sparse_gathered_bmm_f32(cuda"), std::string::npos) << ctx << ": " << ex->sparse_kernel();
      }
    }
    // A data-dependent plan through run_prefill: the estimator runs on the device tensors, the log
    // names the kernel; a static prefill of it is refused (no silent dense).
    const TokenLayout layout = make_synthetic_layout(SyntheticLayoutSpec{5, 3, 40, 7, false, 1, 40, 1});
    const AttentionPlan plan = build_plan(resolve_method({{"name", "xattention"}, {"block_tokens", 32}, {"stride", 8}}), layout);
    at::Tensor q = at::randn({layout.length, 2, 32}).cuda(), k = at::randn({layout.length, 2, 32}).cuda(),
               v = at::randn({layout.length, 2, 32}).cuda();
    attention::SparseLog log;
    at::Tensor out = attention::run_prefill(*ex, plan, {q, k, v}, &log);
    EXPECT_TRUE(out.is_cuda());
    ASSERT_EQ(log.layers.size(), 1u);
    EXPECT_NE(log.kernel.find("cuda"), std::string::npos) << log.kernel;
    EXPECT_GT(log.layers[0].density_min, 0.0);
    EXPECT_THROW(ex->prefill(plan, {q, k, v}), std::invalid_argument);
  }
}

TEST(CudaExecutor, TimerMeasuresPositiveTime) {
  SKIP_WITHOUT_CUDA();
  at::Tensor a = at::randn({2048, 2048}, at::device(at::kCUDA).dtype(at::kBFloat16));
  const double ms = attention::cuda::cuda_time_ms([&] { at::mm(a, a); }, 1, 3, a.device());
  EXPECT_GT(ms, 0.0);
  EXPECT_LT(ms, 1000.0);
}

}  // namespace
}  // namespace pevlm
