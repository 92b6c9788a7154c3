// Google Benchmark: the three steps of one fused-kernel tile (attention/fused/) on one core --
// S = Q K^T, the online-softmax step, O += P V -- at the kernel's tile shape, plus a square GEMM of
// the same library for scale. Where the fused kernel's time goes: if the two tile GEMMs run near the
// square GEMM's rate, the attention efficiency is bounded by the softmax step's share.
//   ./build/bench/fused_tile_bench --benchmark_counters_tabular=true
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/native/CPUBlas.h>
#include <benchmark/benchmark.h>

#include <vector>

#include "attention/cpu_caps.h"
#include "attention/fused/fused_kernel.h"
#include "bench/bench_context.h"
#include "attention/fused/tile_gemm.h"
#include "attention/fused/tile_softmax.h"

namespace {

using namespace pevlm::attention::fused;

constexpr int64_t kD = 128;

struct TileData {
  TileData(int64_t rows, int64_t keys, GemmPath path)
      : rows(rows), keys(keys), q(at::randn({rows, kD}).to(path == GemmPath::F32 ? at::kFloat : at::kBFloat16)),
        kv(pack_kv(at::randn({keys, 1, kD}), at::randn({keys, 1, kD}), path, single_piece_layout(keys))), s(size_t(rows * keys)),
        o(size_t(rows * kD)), row_max(size_t(rows), -1e30f), row_sum(size_t(rows)), lo(size_t(rows), 0),
        hi(size_t(rows), int32_t(keys)), p_bf16(size_t(rows * keys)) {}
  int64_t rows, keys;
  at::Tensor q;
  PackedKv kv;
  std::vector<float> s, o, row_max, row_sum;
  std::vector<int32_t> lo, hi;
  std::vector<at::BFloat16> p_bf16;
};

GemmPath path_of(int64_t arg) { return arg == 0 ? GemmPath::F32 : GemmPath::Bf16Vnni; }

// The bf16 VNNI rows need libtorch's bf16 brgemm micro-kernel (attention/cpu_caps.h); elsewhere they are
// reported as skipped with the reason instead of calling a brgemm that throws.
bool skip_unsupported(benchmark::State& state, GemmPath path) {
  if (path != GemmPath::Bf16Vnni || pevlm::attention::cpu_caps().bf16_vnni_brgemm) return false;
  state.SkipWithError(("bf16 VNNI brgemm unsupported: " + pevlm::attention::cpu_caps().bf16_vnni_reason).c_str());
  return true;
}

void BM_TileQK(benchmark::State& state) {
  at::set_num_threads(1);
  if (skip_unsupported(state, path_of(state.range(2)))) return;
  TileData t(state.range(0), state.range(1), path_of(state.range(2)));
  for (auto _ : state) gemm_qk(t.kv, 0, 0, t.rows, t.keys, t.q.data_ptr(), t.s.data(), t.keys);
  gemm_release(t.kv.path);
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * t.rows * t.keys * kD * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_TilePV(benchmark::State& state) {
  at::set_num_threads(1);
  if (skip_unsupported(state, path_of(state.range(2)))) return;
  TileData t(state.range(0), state.range(1), path_of(state.range(2)));
  const void* p = t.kv.path == GemmPath::F32 ? static_cast<const void*>(t.s.data()) : static_cast<const void*>(t.p_bf16.data());
  for (auto _ : state) gemm_pv(t.kv, 0, 0, t.rows, t.keys, p, t.keys, t.o.data(), true);
  gemm_release(t.kv.path);
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * t.rows * t.keys * kD * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_TileSoftmax(benchmark::State& state) {
  at::set_num_threads(1);
  TileData t(state.range(0), state.range(1), GemmPath::F32);
  const std::vector<float> logits = t.s;
  SoftmaxTile tile;
  tile.m = t.rows, tile.n = t.keys, tile.lo = t.lo.data(), tile.hi = t.hi.data(), tile.scale = 0.088f;
  tile.row_max = t.row_max.data(), tile.row_sum = t.row_sum.data(), tile.o = t.o.data(), tile.d = kD;
  // range(2) == 1: P written as bf16 (the VNNI path's PV operand), else fp32 in place.
  const bool p_bf16 = state.range(2) == 1;
  tile.s = t.s.data(), tile.p = p_bf16 ? static_cast<void*>(t.p_bf16.data()) : static_cast<void*>(t.s.data()), tile.p_bf16 = p_bf16;
  const SoftmaxTileFn fn = softmax_tile_fn();
  for (auto _ : state) fn(tile);
  state.SetLabel(softmax_tile_isa());
  // Rate in "attention FLOP equivalents" (the 4 D FLOP of both GEMMs per score) for comparison.
  state.counters["attnGFLOP/s"] = benchmark::Counter(4.0 * t.rows * t.keys * kD * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_SquareGemm(benchmark::State& state) {
  at::set_num_threads(1);
  const int64_t n = state.range(0);
  std::vector<float> a(size_t(n * n), 0.5f), b(size_t(n * n), 0.25f), c(size_t(n * n));
  for (auto _ : state) at::native::cpublas::brgemm(n, n, n, n, n, n, false, a.data(), b.data(), c.data(), false);
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * n * n * n * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// The same tile GEMMs walking over a packed K/V of `total` keys window by window, as the kernel does
// for one query tile of full attention: the K^T operand's leading dimension is then the whole
// sequence (strided rows) and the windows stream from memory instead of staying in cache.
void BM_TileStream(benchmark::State& state) {
  at::set_num_threads(1);
  const int64_t rows = state.range(0), keys = state.range(1), total = state.range(2), offset = state.range(3);
  TileData t(rows, keys, GemmPath::F32);
  const PackedKv kv = pack_kv(at::randn({total, 1, kD}), at::randn({total, 1, kD}), GemmPath::F32, single_piece_layout(total));
  int64_t wb = offset;
  for (auto _ : state) {
    gemm_qk(kv, 0, wb, rows, keys, t.q.data_ptr(), t.s.data(), keys);
    gemm_pv(kv, 0, wb, rows, keys, t.s.data(), keys, t.o.data(), true);
    wb = wb + 2 * keys > total ? offset : wb + keys;
  }
  state.counters["GFLOP/s"] = benchmark::Counter(4.0 * rows * keys * kD * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void tile_shapes(benchmark::internal::Benchmark* b) {
  for (int64_t path : {0, 1})
    for (int64_t keys : {32, 64, 128, 272, 512, 1024}) b->Args({kTargetRows, keys, path});
  // Per-head sparse tiles (issue 25): 64-row (vertical-slash) and 128-row (XAttention) query blocks.
  for (int64_t rows : {64, 128}) b->Args({rows, 512, 1});
}

BENCHMARK(BM_TileQK)->Apply(tile_shapes)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TilePV)->Apply(tile_shapes)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TileSoftmax)->Args({kTargetRows, 32, 0})->Args({kTargetRows, 128, 0})->Args({kTargetRows, 272, 0})->Args({kTargetRows, 512, 0})->Args({kTargetRows, 1024, 0})->Args({kTargetRows, 512, 1})->Args({128, 1120, 1})->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TileStream)->Args({kTargetRows, 512, 1024, 0})->Args({kTargetRows, 512, 32848, 0})->Args({kTargetRows, 512, 32848, 4})->Args({kTargetRows, 512, 32848, 8})->Args({kTargetRows, 272, 32848, 0})->Args({kTargetRows, 272, 32848, 4})->Unit(benchmark::kMicrosecond);
// pack_kv of a whole layer's K and V (the per-call O(L) step every prefill pays before its GEMMs):
// bf16 inputs [L, Hkv, D] at the 7B shape onto the fp32 path (arg 2 = 0: K transposed) or the bf16
// VNNI path (1: K^T and V in key pairs), into fresh memory (arg 1 = 0) or a kept workspace (1, what
// the executor does).
void BM_PackKv(benchmark::State& state) {
  at::set_num_threads(2);
  const int64_t L = state.range(0);
  const bool vnni = state.range(2) == 1;
  const at::Tensor k = at::randn({L, 4, kD}).to(at::kBFloat16), v = at::randn({L, 4, kD}).to(at::kBFloat16);
  const KeyLayout layout = single_piece_layout(L);
  PackWorkspace ws;
  const GemmPath path = vnni ? GemmPath::Bf16Vnni : GemmPath::F32;
  for (auto _ : state) benchmark::DoNotOptimize(pack_kv(k, v, path, layout, state.range(1) ? &ws : nullptr).kt.data_ptr());
  state.counters["GB/s"] = benchmark::Counter(double(L) * 4 * kD * 2 * (2 + (vnni ? 2 : 4)), benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK(BM_PackKv)->ArgsProduct({{4096, 16464, 32848}, {0, 1}, {0, 1}})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SquareGemm)->Arg(512)->Arg(1024)->Arg(2048)->Unit(benchmark::kMillisecond);

}  // namespace

PEVLM_BENCHMARK_MAIN()
