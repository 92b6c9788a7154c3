// Body of decode_chunk_<isa>() (decode_chunk.h): included by one translation unit per ISA, which
// defines PEVLM_DECODE_CHUNK_NAME and is compiled with that ISA's CPU_CAPABILITY and -m flags.
// Keys go in blocks of kBlock: the block's K transposed (and V converted) once into fp32 scratch in L1,
// S = Q K^T and O += P V through cpublas::brgemm with this ISA's softmax tile step
// (tile_softmax_impl.h, same translation unit) in between; K and V are read once per chunk whatever
// the number of rows. Plain dot products per (row, key) measured 1.4-1.6x slower even for one token's
// 7 rows (horizontal reductions, scalar exp), and 2.3x slower at 10 tokens.
#include <ATen/cpu/vec/functional.h>
#include <ATen/cpu/vec/vec.h>
#include <ATen/native/CPUBlas.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "attention/fused/decode_chunk.h"
#include "attention/fused/tile_softmax.h"

namespace pevlm::attention::fused {
namespace {

constexpr int64_t kBlock = 64;

// One K / V row in fp32 (bf16 rows converted), in `buf` when a conversion is needed.
inline const float* row_f32(const DecodeChunk& c, const void* base, int64_t j, float* buf) {
  if (!c.bf16) return static_cast<const float*>(base) + (j - c.kb) * c.stride;
  at::vec::convert(static_cast<const c10::BFloat16*>(base) + (j - c.kb) * c.stride, buf, c.d);
  return buf;
}

void decode_chunk_gemm(const DecodeChunk& c) {
  std::vector<float> s(size_t(c.rows * kBlock)), kt(size_t(c.d * kBlock)), v(size_t(kBlock * c.d)), row(size_t(c.d));
  std::vector<int32_t> lo(size_t(c.rows), 0), hi(size_t(c.rows));
  for (int64_t b0 = c.kb; b0 < c.ke; b0 += kBlock) {
    const int64_t nb = std::min(c.ke, b0 + kBlock) - b0;
    for (int64_t j = 0; j < nb; ++j) {
      const float* kr = row_f32(c, c.k, b0 + j, row.data());
      for (int64_t x = 0; x < c.d; ++x) kt[size_t(x * nb + j)] = kr[x];
      const float* vr = row_f32(c, c.v, b0 + j, v.data() + j * c.d);
      if (vr != v.data() + j * c.d) std::copy_n(vr, c.d, v.data() + j * c.d);
    }
    at::native::cpublas::brgemm(c.rows, nb, c.d, c.d, nb, nb, false, c.q, kt.data(), s.data(), false);
    for (int64_t r = 0; r < c.rows; ++r) hi[size_t(r)] = int32_t(std::clamp<int64_t>(c.row_end[r] - b0, 0, nb));
    SoftmaxTile t;
    t.s = s.data(), t.m = c.rows, t.n = nb, t.lo = lo.data(), t.hi = hi.data(), t.scale = c.scale;
    t.row_max = c.row_max, t.row_sum = c.row_sum, t.o = c.o, t.d = c.d, t.p = s.data(), t.p_bf16 = false;
    PEVLM_SOFTMAX_TILE_NAME(t);
    at::native::cpublas::brgemm(c.rows, c.d, nb, nb, c.d, c.d, true, s.data(), v.data(), c.o, false);
  }
}

}  // namespace

void PEVLM_DECODE_CHUNK_NAME(const DecodeChunk& c) {
  const float neg_inf = -std::numeric_limits<float>::infinity();
  std::fill(c.row_max, c.row_max + c.rows, neg_inf);
  std::fill(c.row_sum, c.row_sum + c.rows, 0.0f);
  std::fill(c.o, c.o + c.rows * c.d, 0.0f);
  decode_chunk_gemm(c);
}

}  // namespace pevlm::attention::fused
