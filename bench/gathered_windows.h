// Random gathered key windows for the sparse-window benches (sparse_window_bench, qk_transposed_bench):
// ~kWindowCols columns in chunks of chunk_min..chunk_max keys (multiples of 16) at random 16-key-aligned
// places of a kKeys-key sequence (vertical-slash's 64-key diagonals merged into runs, XAttention's
// 128-key blocks), 256 different windows to cycle. BENCH_KEYS=2048 puts K/V in L2 (the compute-bound
// reference); the default 32,848 keys make the chunks come from L3 / memory as in the kernel.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <vector>

#include "attention/fused/key_windows.h"

namespace pevlm::bench {

constexpr int64_t kD = 128, kWindowCols = 1024;
// S / P row stride as the kernel's 64- and 128-row tiles use (fused_kernel.cpp window_keys: 1120
// columns); a stride of exactly 1024 floats (4 KB) would put all 16 rows of a tile in one L1 set.
constexpr int64_t kLd = 1120;
inline const int64_t kKeys = std::getenv("BENCH_KEYS") ? std::atol(std::getenv("BENCH_KEYS")) : 32848;

inline std::vector<std::vector<attention::fused::WindowChunk>> random_windows(int64_t chunk_min, int64_t chunk_max,
                                                                               uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::vector<attention::fused::WindowChunk>> out(256);
  for (auto& w : out) {
    int64_t cols = 0;
    while (cols < kWindowCols) {
      const int64_t n = std::min(kWindowCols - cols, chunk_min + 16 * int64_t(rng() % uint32_t((chunk_max - chunk_min) / 16 + 1)));
      const int64_t at = 16 * int64_t(rng() % uint32_t((kKeys - n) / 16));
      w.push_back(attention::fused::WindowChunk{at, n, cols});
      cols += n;
    }
  }
  return out;
}

}  // namespace pevlm::bench
