// Google Benchmark: the CPU plan executors -- the fused kernel ("cpu") and the per-piece one it
// replaced ("cpu_pieces") -- per method and length at the Qwen2.5-VL-7B layer shape
// (28 q heads, 4 KV heads, head_dim 128, bf16). Reports items/s (tokens) and the attention FLOP
// rate as counters; ratios between methods come from one run (`pevlm speed` writes the tables).
#include <ATen/ATen.h>
#include <benchmark/benchmark.h>

#include "attention/executor.h"
#include "bench/bench_context.h"
#include "methods/method_registry.h"

namespace {

using pevlm::MethodConfig;

const std::vector<nlohmann::json>& bench_methods() {
  static const std::vector<nlohmann::json> m = {
      {{"name", "full"}},
      {{"name", "block_attention"}, {"block_tokens", 1024}},
      {{"name", "ape"}, {"prefix_tokens", 256}, {"block_tokens", 1024}},
      {{"name", "star"}, {"block_tokens", 1024}, {"recompute_anchor", false}},
      {{"name", "pevlm"}, {"sink_frames", 2}, {"block_frames", 4}},
      {{"name", "pevlm"}, {"sink_frames", 4}, {"block_frames", 4}},
  };
  return m;
}

const std::vector<std::string>& bench_executors() {
  static const std::vector<std::string> e = {"cpu", "cpu_pieces"};
  return e;
}

void BM_Executor(benchmark::State& state) {
  const auto& entry = bench_methods().at(size_t(state.range(0)));
  const int64_t frames = state.range(1);
  const bool bf16 = state.range(2) != 0;
  const pevlm::TokenLayout layout = pevlm::make_synthetic_layout({20, frames, 256, 60, true, 16, 16, 2});
  const MethodConfig cfg = pevlm::resolve_method(entry);
  const pevlm::AttentionPlan plan = pevlm::build_plan(cfg, layout);
  const auto dtype = bf16 ? at::kBFloat16 : at::kFloat;
  at::Tensor q = at::randn({layout.length, 28, 128}).to(dtype), k = at::randn({layout.length, 4, 128}).to(dtype),
             v = at::randn({layout.length, 4, 128}).to(dtype);
  auto ex = pevlm::attention::make_executor(bench_executors().at(size_t(state.range(3))));
  for (auto _ : state) benchmark::DoNotOptimize(ex->prefill(plan, {q, k, v}));
  state.SetLabel(ex->name() + " " + cfg.label() + (bf16 ? " bf16" : " fp32"));
  state.SetItemsProcessed(state.iterations() * layout.length);
  state.counters["tokens"] = double(layout.length);
  state.counters["FLOP/s"] = benchmark::Counter(plan.flops(28, 128), benchmark::Counter::kIsIterationInvariantRate);
}

void methods_by_length(benchmark::internal::Benchmark* b) {
  for (int64_t frames : {8, 16})
    for (int64_t m = 0; m < int64_t(bench_methods().size()); ++m)
      for (int64_t bf16 : {1, 0})
        for (int64_t e = 0; e < int64_t(bench_executors().size()); ++e) b->Args({m, frames, bf16, e});
}

BENCHMARK(BM_Executor)->Apply(methods_by_length)->Unit(benchmark::kMillisecond)->MinTime(0.5);

// One decode step of n tokens over a cache of `frames` x 256 tokens after a PEVLM prefill, bf16, the
// cache narrowed from a larger allocation as the runtime holds it. The fused executor reads it in
// place for n <= kDirectDecodeMaxTokens (decode_direct.h) and packs it per call above; cpu_pieces for comparison.
void BM_Decode(benchmark::State& state) {
  const int64_t frames = state.range(0), n = state.range(1);
  const pevlm::TokenLayout layout = pevlm::make_synthetic_layout({20, frames, 256, 60, true, 16, 16, 2});
  const pevlm::AttentionPlan plan = pevlm::build_plan(pevlm::resolve_method({{"name", "pevlm"}, {"sink_frames", 2}, {"block_frames", 16}}), layout);
  const int64_t total = layout.length + n;
  at::Tensor k = at::randn({total + 256, 4, 128}).to(at::kBFloat16).narrow(0, 0, total),
             v = at::randn({total + 256, 4, 128}).to(at::kBFloat16).narrow(0, 0, total), q = at::randn({n, 28, 128}).to(at::kBFloat16);
  auto ex = pevlm::attention::make_executor(bench_executors().at(size_t(state.range(2))));
  for (auto _ : state) benchmark::DoNotOptimize(ex->decode(plan, {q, k, v}));
  state.SetLabel(ex->name() + " cache " + std::to_string(total) + " n=" + std::to_string(n));
  // Bytes of K and V read per step: the memory-bound limit of a decode step.
  state.SetBytesProcessed(state.iterations() * total * 4 * 128 * 2 * 2);
}

BENCHMARK(BM_Decode)->ArgsProduct({{64, 128}, {1, 4, 10, 17, 64, 65}, {0, 1}})->Unit(benchmark::kMillisecond)->MinTime(0.3);

}  // namespace

PEVLM_BENCHMARK_MAIN()
