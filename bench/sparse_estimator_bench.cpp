// The data-dependent methods' estimators (issue 25) on planted-structure Q/K at the 7B layer shape's
// 7-head slice (7 query heads, 1 KV head, D = 128), what `pevlm speed` times inside each sparse row:
//   XAttention's antidiagonal block sums (xattention_block_sums: strided GEMMs, softmax, block sums)
//   and vertical-slash's last-64-query scores (vertical_slash_scores), in fp32 and bf16 products.
// Counters: GFLOP/s over the FLOPs each estimator counts (xattention_estimator_flops / the
// last_q x L products), to compare with a square GEMM's rate on the same machine.
//   ./build/bench/sparse_estimator_bench --benchmark_filter=XAttention
#include <ATen/ATen.h>
#include <benchmark/benchmark.h>

#include "attention/planted_qk.h"
#include "bench/bench_context.h"
#include "methods/sparse/sparse_estimator.h"

namespace {

using pevlm::EstimatorProducts;

constexpr int64_t kHeads = 7, kKvHeads = 1, kHeadDim = 128;

// Planted Q/K as `pevlm speed` draws them for a layout with 20 system tokens and 256-token frames.
std::pair<at::Tensor, at::Tensor> planted(int64_t length, at::ScalarType dtype) {
  pevlm::attention::PlantedQkSpec spec;
  spec.length = length, spec.heads = kHeads, spec.kv_heads = kKvHeads, spec.head_dim = kHeadDim;
  spec.video_begin = 20;
  return pevlm::attention::planted_qk(spec, dtype, c10::Device(at::kCPU));
}

EstimatorProducts products_of(int64_t arg) { return arg == 1 ? EstimatorProducts::Bf16 : EstimatorProducts::F32; }

// Args: tokens, products (0 fp32, 1 bf16: bf16 inputs either way, as a bf16 model's layer has).
void BM_XAttentionBlockSums(benchmark::State& state) {
  const int64_t L = state.range(0);
  const auto [q, k] = planted(L, at::kBFloat16);
  for (auto _ : state) benchmark::DoNotOptimize(pevlm::xattention_block_sums(q, k, 128, 16, products_of(state.range(1))));
  const double flops = pevlm::xattention_estimator_flops(L, kHeads, kHeadDim, 128, 16);
  state.counters["GFLOP/s"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_XAttentionBlockSums)->ArgsProduct({{16384, 32848}, {0, 1}})->Unit(benchmark::kMillisecond)->UseRealTime();

// The whole estimate: block sums plus find_blocks_chunked's selection per head and query block.
void BM_XAttentionEstimate(benchmark::State& state) {
  const int64_t L = state.range(0);
  const auto [q, k] = planted(L, at::kBFloat16);
  for (auto _ : state) benchmark::DoNotOptimize(pevlm::xattention_estimate(q, k, 128, 16, 0.9, 0, products_of(state.range(1))).flops);
  const double flops = pevlm::xattention_estimator_flops(L, kHeads, kHeadDim, 128, 16);
  state.counters["GFLOP/s"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_XAttentionEstimate)->ArgsProduct({{16384, 32848}, {0}})->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_VerticalSlashScores(benchmark::State& state) {
  const int64_t L = state.range(0);
  const auto [q, k] = planted(L, at::kBFloat16);
  for (auto _ : state) benchmark::DoNotOptimize(pevlm::vertical_slash_scores(q, k, 64, products_of(state.range(1))).vertical);
  const double flops = 2.0 * kHeads * 64 * double(L) * kHeadDim;
  state.counters["GFLOP/s"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_VerticalSlashScores)->ArgsProduct({{16384, 32848}, {0, 1}})->Unit(benchmark::kMillisecond)->UseRealTime();

// The square fp32 / bf16 GEMM of the estimators' size class on this machine, for the rate above.
void BM_SquareGemm(benchmark::State& state) {
  const int64_t n = 2048;
  const at::ScalarType dt = state.range(0) == 1 ? at::kBFloat16 : at::kFloat;
  const at::Tensor a = at::randn({n, n}).to(dt), b = at::randn({n, n}).to(dt);
  at::Tensor c = at::empty({n, n}, a.options());
  for (auto _ : state) at::mm_out(c, a, b);
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * n * n * n * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_SquareGemm)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

PEVLM_BENCHMARK_MAIN();
