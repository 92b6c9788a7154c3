// The online-softmax step of the fused kernel on one S tile, the only elementwise work hot enough to
// need the CPU's vector units (one exp per attended (query, key) pair). Compiled once per ISA
// (tile_softmax_{avx512,avx2,default}.cpp, each with its CPU_CAPABILITY like ATen's own kernels, so
// at::vec::Vectorized is 16/8/scalar lanes wide) and picked at run time.
#pragma once

#include <cstdint>

namespace pevlm::attention::fused {

// Rows [0, m) of a tile of raw logits S [m, n] (ld n, q.k unscaled) for one logit group. Row r sees
// columns [lo[r], hi[r]) (causal, window padding and range ends already folded in; empty when
// hi <= lo). Per row: new max over scale * S, P = exp(scale * S - max) with zeros outside the
// interval, sum and accumulator row rescaled by exp(old max - new max).
struct SoftmaxTile {
  float* s = nullptr;          // [m, n] (row stride ld), overwritten (fp32 P when p == s)
  int64_t m = 0, n = 0;
  int64_t ld = 0;              // row stride of s and p (0: n)
  const int32_t* lo = nullptr;
  const int32_t* hi = nullptr;
  float scale = 1.0f;          // softmax scale / group temperature
  float* row_max = nullptr;    // [m] running max of the group (-inf before any key)
  float* row_sum = nullptr;    // [m] running sum of exp(logit - row_max)
  float* o = nullptr;          // [m, d] running unnormalised output of the group
  int64_t d = 0;
  void* p = nullptr;           // [m, n] (row stride ld) P for the PV GEMM: float (may alias s) or bf16
  bool p_bf16 = false;
};

using SoftmaxTileFn = void (*)(const SoftmaxTile&);

// The widest implementation this CPU runs, and its name ("avx512", "avx2", "default").
SoftmaxTileFn softmax_tile_fn();
const char* softmax_tile_isa();

// One per ISA translation unit.
void softmax_tile_avx512(const SoftmaxTile& t);
void softmax_tile_avx2(const SoftmaxTile& t);
void softmax_tile_default(const SoftmaxTile& t);

}  // namespace pevlm::attention::fused
