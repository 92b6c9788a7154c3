// Google Benchmark, a design probe for issue 25 (not used by the kernel): the QK^T of one gathered key
// window of a per-head sparse plan on one core, K of a 32k-token sequence (chunks from L3 as in the
// kernel). impl 0: what the fused kernel runs -- cpublas::brgemm per chunk, S = Q K^T with K^T packed
// VNNI ([D/2][Lp][2]: each chunk is 64 strided rows of K^T, 131 KB apart). impl 1: S^T = K Q^T on our
// AMX tiles with K as the A operand read straight from the row-major [L][D] layout (a chunk is one
// contiguous run of rows the hardware prefetchers follow) and Q^T as a VNNI B operand kept in L1. If
// impl 1 wins clearly, a sparse path with a column-wise softmax over S^T is worth building (closing
// note of stop 34). Windows as sparse_window_bench: ~1024 columns in chunks at random 16-key places.
//   ./build/bench/qk_transposed_bench --benchmark_counters_tabular=true
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>
#include <immintrin.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <vector>

#include "attention/cpu_caps.h"
#include "attention/fused/amx_windows.h"
#include "attention/fused/key_windows.h"
#include "attention/fused/tile_gemm.h"
#include "bench/bench_context.h"
#include "bench/gathered_windows.h"

namespace {

using namespace pevlm::attention::fused;
using bf16 = c10::BFloat16;

using pevlm::bench::kD;
using pevlm::bench::kKeys;
using pevlm::bench::kLd;
using pevlm::bench::kWindowCols;
using pevlm::bench::random_windows;

struct alignas(64) TileConfig {
  uint8_t palette_id = 1, start_row = 0;
  uint8_t reserved[14] = {};
  uint16_t colsb[16] = {};
  uint8_t rows[16] = {};
};

// S^T[c][r] (row stride `rows` floats) = sum_d K[key(c)][d] Q[r][d] for every column c of the window.
// K row-major (ld kD), Q^T VNNI [D/2][rows][2]; rows a multiple of 32, chunk widths multiples of 16.
__attribute__((target("amx-tile,amx-bf16"))) void amx_kqt_window(const bf16* k, const bf16* qt, int64_t rows,
                                                                  const std::vector<WindowChunk>& chunks, float* st) {
  TileConfig cfg;
  for (int t = 0; t < 8; ++t) cfg.colsb[t] = 64, cfg.rows[t] = 16;
  _tile_loadconfig(&cfg);
  const int64_t k_stride = kD * 2, qt_stride = rows * 4, st_stride = rows * 4;  // bytes
  for (const WindowChunk& c : chunks) {
    for (int64_t kb = 0; kb < c.cols; kb += 32) {
      const bool two_keys = kb + 16 < c.cols;
      const bf16* a0 = k + (c.packed + kb) * kD;
      float* s0 = st + (c.s_col + kb) * rows;
      for (int64_t rb = 0; rb < rows; rb += 32) {
        _tile_zero(0);
        _tile_zero(1);
        _tile_zero(2);
        _tile_zero(3);
        for (int64_t dd = 0; dd < kD; dd += 32) {
          const bf16* b0 = qt + (dd / 2 * rows + rb) * 2;
          _tile_loadd(4, a0 + dd, k_stride);
          _tile_loadd(6, b0, qt_stride);
          _tile_loadd(7, b0 + 32, qt_stride);
          _tile_dpbf16ps(0, 4, 6);
          _tile_dpbf16ps(1, 4, 7);
          if (two_keys) {
            _tile_loadd(5, a0 + 16 * kD + dd, k_stride);
            _tile_dpbf16ps(2, 5, 6);
            _tile_dpbf16ps(3, 5, 7);
          }
        }
        _tile_stored(0, s0 + rb, st_stride);
        _tile_stored(1, s0 + rb + 16, st_stride);
        if (two_keys) {
          _tile_stored(2, s0 + 16 * rows + rb, st_stride);
          _tile_stored(3, s0 + 16 * rows + rb + 16, st_stride);
        }
      }
    }
  }
}

__attribute__((target("amx-tile"))) void release_tiles() { _tile_release(); }

struct QkData {
  explicit QkData(int64_t rows)
      : rows(rows), k_rows(at::randn({kKeys, 1, kD}).to(at::kBFloat16)),
        kv(pack_kv(k_rows, at::randn({kKeys, 1, kD}).to(at::kBFloat16), GemmPath::Bf16Vnni, single_piece_layout(kKeys))),
        q(at::randn({rows, kD}).to(at::kBFloat16)), qt(size_t(rows * kD)), s(size_t(rows * kLd)), st(size_t(rows * kLd)) {
    const bf16* qp = q.const_data_ptr<bf16>();
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t d = 0; d < kD; ++d) qt[size_t((d / 2 * rows + r) * 2 + d % 2)] = qp[r * kD + d];
  }
  int64_t rows;
  at::Tensor k_rows;
  PackedKv kv;
  at::Tensor q;
  std::vector<bf16> qt;
  std::vector<float> s, st;
};

// range(0): 0 brgemm per chunk (S), 1 our AMX S^T from row-major K; range(1): rows; range(2)/(3): chunk widths.
void BM_GatheredWindowQK(benchmark::State& state) {
  at::set_num_threads(1);
  const bool transposed = state.range(0) == 1;
  if (!pevlm::attention::cpu_caps().bf16_vnni_brgemm) {
    state.SkipWithError("bf16 VNNI brgemm unsupported here");
    return;
  }
  if (transposed && !amx_available()) {
    state.SkipWithError(("AMX unavailable: " + amx_reason()).c_str());
    return;
  }
  QkData t(state.range(1));
  const auto windows = random_windows(state.range(2), state.range(3), 7);
  const bf16* k = t.k_rows.const_data_ptr<bf16>();
  // Both products of the first window agree (fp32 accumulation of the same bf16 products).
  for (const WindowChunk& c : windows[0]) gemm_qk(t.kv, 0, c.packed, t.rows, c.cols, t.q.const_data_ptr<bf16>(), t.s.data() + c.s_col, kLd);
  gemm_release(GemmPath::Bf16Vnni);
  if (transposed) {
    amx_kqt_window(k, t.qt.data(), t.rows, windows[0], t.st.data());
    release_tiles();
    double worst = 0;
    for (int64_t r = 0; r < t.rows; ++r)
      for (int64_t c = 0; c < kWindowCols; ++c)
        worst = std::max(worst, double(std::abs(t.s[size_t(r * kLd + c)] - t.st[size_t(c * t.rows + r)])));
    if (worst > 1e-3) {
      state.SkipWithError(("S^T differs from S by " + std::to_string(worst)).c_str());
      return;
    }
  }
  size_t i = 0;
  for (auto _ : state) {
    const std::vector<WindowChunk>& w = windows[i++ % windows.size()];
    if (transposed) {
      amx_kqt_window(k, t.qt.data(), t.rows, w, t.st.data());
    } else {
      for (const WindowChunk& c : w) gemm_qk(t.kv, 0, c.packed, t.rows, c.cols, t.q.const_data_ptr<bf16>(), t.s.data() + c.s_col, kLd);
    }
  }
  if (transposed) release_tiles();
  gemm_release(GemmPath::Bf16Vnni);
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * t.rows * kWindowCols * kD * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK(BM_GatheredWindowQK)
    ->ArgsProduct({{0, 1}, {64, 128}, {64}, {256}})
    ->ArgsProduct({{0, 1}, {64}, {128}, {128}})
    ->ArgsProduct({{0, 1}, {64}, {256}, {256}})
    ->Unit(benchmark::kMicrosecond);

}  // namespace

PEVLM_BENCHMARK_MAIN()
