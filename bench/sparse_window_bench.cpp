// Google Benchmark: the PV GEMM of one gathered key window of a per-head sparse plan
// (attention/fused/key_windows.h) on one core, V of a 32k-token sequence (so the chunks come from L3 /
// memory as in the kernel, not from a cache-hot 512-key tile; BENCH_KEYS=2048 makes them hot):
// cpublas::brgemm per chunk (impl 0) against our AMX batch-reduce (impl 1, attention/fused/amx_windows.h). Windows: ~1024 columns in chunks of
// 64-256 keys at random 16-key-aligned places (vertical-slash's 64-key diagonals merged into runs,
// XAttention's 128-key blocks), 256 different windows cycled.
//   ./build/bench/sparse_window_bench --benchmark_counters_tabular=true
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <random>
#include <vector>

#include "attention/cpu_caps.h"
#include "attention/fused/amx_windows.h"
#include "attention/fused/tile_gemm.h"
#include "bench/bench_context.h"
#include "bench/gathered_windows.h"

namespace {

using namespace pevlm::attention::fused;

using pevlm::bench::kD;
using pevlm::bench::kKeys;
using pevlm::bench::kLd;
using pevlm::bench::kWindowCols;
using pevlm::bench::random_windows;

struct WindowData {
  explicit WindowData(int64_t rows)
      : rows(rows),
        kv(pack_kv(at::randn({kKeys, 1, kD}).to(at::kBFloat16), at::randn({kKeys, 1, kD}).to(at::kBFloat16), GemmPath::Bf16Vnni,
                   single_piece_layout(kKeys))),
        p(size_t(rows * kLd + kAmxPvPadColumns), c10::BFloat16(0.01f)), o(size_t(rows * kD)) {}
  int64_t rows;
  PackedKv kv;
  std::vector<c10::BFloat16> p;
  std::vector<float> o;
  AmxPvScratch scratch;
};

// range(0): 0 cpublas::brgemm per chunk, 1 our AMX batch-reduce; range(1): rows; range(2)/(3): chunk widths.
void BM_GatheredWindowPV(benchmark::State& state) {
  at::set_num_threads(1);
  const bool amx = state.range(0) == 1;
  if (!pevlm::attention::cpu_caps().bf16_vnni_brgemm) {
    state.SkipWithError("bf16 VNNI brgemm unsupported here");
    return;
  }
  if (amx && !amx_available()) {
    state.SkipWithError(("AMX unavailable: " + amx_reason()).c_str());
    return;
  }
  WindowData t(state.range(1));
  const auto windows = random_windows(state.range(2), state.range(3), 7);
  const auto* v = t.kv.v.const_data_ptr<c10::BFloat16>();
  size_t i = 0;
  for (auto _ : state) {
    const std::vector<WindowChunk>& w = windows[i++ % windows.size()];
    if (amx) {
      amx_pv_window(t.p.data(), kLd, t.rows, v, kD, w, t.o.data(), true, t.scratch);
    } else {
      for (const WindowChunk& c : w) gemm_pv(t.kv, 0, c.packed, t.rows, c.cols, t.p.data() + c.s_col, kLd, t.o.data(), true);
    }
  }
  if (amx) amx_release();
  gemm_release(GemmPath::Bf16Vnni);
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * t.rows * kWindowCols * kD * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK(BM_GatheredWindowPV)
    ->ArgsProduct({{0, 1}, {64, 128}, {64}, {256}})
    ->ArgsProduct({{0, 1}, {128}, {128}, {128}})
    ->ArgsProduct({{0, 1}, {128}, {256}, {256}})
    ->ArgsProduct({{0, 1}, {128}, {512}, {512}})
    ->ArgsProduct({{0, 1}, {128}, {1024}, {1024}})
    ->Unit(benchmark::kMicrosecond);

}  // namespace

PEVLM_BENCHMARK_MAIN()
