// Body of decode_chunk_<isa>() (decode_chunk.h): included by one translation unit per ISA, which
// defines PEVLM_DECODE_CHUNK_NAME and is compiled with that ISA's CPU_CAPABILITY and -m flags.
// Keys go in blocks of kBlock: scores of every row against the block (one pass over its K rows),
// the online-softmax update per row, then O += P V (one pass over its V rows). K and V are read once
// per chunk whatever the number of rows, which is what a memory-bound decode step needs.
#include <ATen/cpu/vec/functional.h>
#include <ATen/cpu/vec/vec.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "attention/fused/decode_chunk.h"

namespace pevlm::attention::fused {
namespace {

constexpr int64_t kBlock = 64;

// One K / V row in fp32 (bf16 rows converted), in `buf` when a conversion is needed.
inline const float* row_f32(const DecodeChunk& c, const void* base, int64_t j, float* buf) {
  if (!c.bf16) return static_cast<const float*>(base) + (j - c.kb) * c.stride;
  at::vec::convert(static_cast<const c10::BFloat16*>(base) + (j - c.kb) * c.stride, buf, c.d);
  return buf;
}

inline float dot(const float* a, const float* b, int64_t d) {
  using Vec = at::vec::Vectorized<float>;
  constexpr int64_t W = Vec::size();
  Vec acc(0.0f);
  int64_t x = 0;
  for (; x + W <= d; x += W) acc = at::vec::fmadd(Vec::loadu(a + x), Vec::loadu(b + x), acc);
  float s = at::vec::vec_reduce_all<float>([](Vec& p, Vec& q) { return p + q; }, acc);
  for (; x < d; ++x) s += a[x] * b[x];
  return s;
}

inline void axpy(float alpha, const float* x, float* y, int64_t d) {
  using Vec = at::vec::Vectorized<float>;
  constexpr int64_t W = Vec::size();
  const Vec va(alpha);
  int64_t i = 0;
  for (; i + W <= d; i += W) at::vec::fmadd(va, Vec::loadu(x + i), Vec::loadu(y + i)).store(y + i);
  for (; i < d; ++i) y[i] += alpha * x[i];
}

}  // namespace

void PEVLM_DECODE_CHUNK_NAME(const DecodeChunk& c) {
  const float neg_inf = -std::numeric_limits<float>::infinity();
  std::fill(c.row_max, c.row_max + c.rows, neg_inf);
  std::fill(c.row_sum, c.row_sum + c.rows, 0.0f);
  std::fill(c.o, c.o + c.rows * c.d, 0.0f);
  std::vector<float> s(size_t(c.rows * kBlock)), buf(size_t(c.d));
  for (int64_t b0 = c.kb; b0 < c.ke; b0 += kBlock) {
    const int64_t b1 = std::min(c.ke, b0 + kBlock), nb = b1 - b0;
    // Scores: s[r][j] for every key of the block a row sees (the rest stay unused).
    for (int64_t j = b0; j < b1; ++j) {
      const float* kr = row_f32(c, c.k, j, buf.data());
      for (int64_t r = 0; r < c.rows; ++r)
        if (j < c.row_end[r]) s[size_t(r * kBlock + (j - b0))] = dot(c.q + r * c.d, kr, c.d) * c.scale;
    }
    // Online softmax per row; s becomes P (0 for keys the row does not see).
    for (int64_t r = 0; r < c.rows; ++r) {
      float* sr = s.data() + r * kBlock;
      const int64_t seen = std::clamp<int64_t>(c.row_end[r] - b0, 0, nb);
      if (seen == 0) {
        std::fill(sr, sr + nb, 0.0f);
        continue;
      }
      const float mx = *std::max_element(sr, sr + seen), m_new = std::max(c.row_max[r], mx);
      float sum = 0.0f;
      for (int64_t j = 0; j < seen; ++j) sum += (sr[j] = std::exp(sr[j] - m_new));
      std::fill(sr + seen, sr + nb, 0.0f);
      const float alpha = c.row_max[r] == neg_inf ? 0.0f : std::exp(c.row_max[r] - m_new);
      if (alpha != 1.0f)
        for (int64_t x = 0; x < c.d; ++x) c.o[r * c.d + x] *= alpha;
      c.row_sum[r] = c.row_sum[r] * alpha + sum;
      c.row_max[r] = m_new;
    }
    // O += P V, one pass over the block's V rows.
    for (int64_t j = b0; j < b1; ++j) {
      const float* vr = row_f32(c, c.v, j, buf.data());
      for (int64_t r = 0; r < c.rows; ++r) {
        const float p = s[size_t(r * kBlock + (j - b0))];
        if (p != 0.0f) axpy(p, vr, c.o + r * c.d, c.d);
      }
    }
  }
}

}  // namespace pevlm::attention::fused
