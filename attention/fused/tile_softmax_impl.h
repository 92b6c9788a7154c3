// Body of softmax_tile_<isa>(): included by one translation unit per ISA, which defines
// PEVLM_SOFTMAX_TILE_NAME and is compiled with that ISA's CPU_CAPABILITY and -m flags.
// exp_u20: ATen's 20-bit-accurate polynomial exp (what libtorch's CPU flash kernel uses); its
// relative error (~1e-6) is far below bf16 rounding and within the fp32 test tolerance.
#include <ATen/cpu/vec/functional.h>
#include <ATen/cpu/vec/vec.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "attention/fused/tile_softmax.h"

namespace pevlm::attention::fused {

void PEVLM_SOFTMAX_TILE_NAME(const SoftmaxTile& t) {
  using Vec = at::vec::Vectorized<float>;
  constexpr int64_t W = Vec::size();
  const float neg_inf = -std::numeric_limits<float>::infinity();
  const int64_t ld = t.ld > 0 ? t.ld : t.n;
  for (int64_t r = 0; r < t.m; ++r) {
    float* s = t.s + r * ld;
    const int64_t lo = t.lo[r], hi = t.hi[r];
    if (hi <= lo) {  // no key of this tile for this row: P row zero, state unchanged
      std::fill(s, s + t.n, 0.0f);
      if (t.p_bf16) std::fill(static_cast<at::BFloat16*>(t.p) + r * ld, static_cast<at::BFloat16*>(t.p) + r * ld + t.n, at::BFloat16(0.0f));
      continue;
    }
    // Row max of the raw logits (scale > 0 commutes with max).
    int64_t c = lo;
    Vec vmax(neg_inf);
    for (; c + W <= hi; c += W) vmax = at::vec::maximum(vmax, Vec::loadu(s + c));
    float mx = at::vec::vec_reduce_all<float>([](Vec& a, Vec& b) { return at::vec::maximum(a, b); }, vmax);
    for (; c < hi; ++c) mx = std::max(mx, s[c]);
    // Lazy rescaling: the running max only moves (and O is only rescaled) when the tile's max exceeds
    // it by more than kRescaleSlack; otherwise P = exp(scale * s - m_old) <= e^8 stays far from fp32
    // (and bf16) overflow, and O, sum and the final normalisation share that reference point, so the
    // result is the same softmax. Most tiles after the first then skip the O rescale entirely.
    constexpr float kRescaleSlack = 8.0f;
    const float m_old = t.row_max[r], m_tile = mx * t.scale;
    const float m_new = (m_old != neg_inf && m_tile - m_old <= kRescaleSlack) ? m_old : std::max(m_old, m_tile);
    // P = exp(scale * s - m_new) on [lo, hi), zero elsewhere; its sum.
    std::fill(s, s + lo, 0.0f);
    std::fill(s + hi, s + t.n, 0.0f);
    const Vec vs(t.scale), vm(m_new);
    Vec vsum(0.0f);
    for (c = lo; c + W <= hi; c += W) {
      Vec x = (Vec::loadu(s + c) * vs - vm).exp_u20();
      vsum = vsum + x;
      x.store(s + c);
    }
    float sum = at::vec::vec_reduce_all<float>([](Vec& a, Vec& b) { return a + b; }, vsum);
    for (; c < hi; ++c) {
      const float x = std::exp(s[c] * t.scale - m_new);
      sum += x;
      s[c] = x;
    }
    if (t.p_bf16) at::vec::convert(s, static_cast<at::BFloat16*>(t.p) + r * ld, t.n);
    // Rescale the running state to the new max; alpha = 0 on the row's first tile of this group: O is still zero, nothing to rescale.
    const float alpha = m_old == neg_inf ? 0.0f : std::exp(m_old - m_new);
    t.row_sum[r] = t.row_sum[r] * alpha + sum;
    t.row_max[r] = m_new;
    if (alpha != 1.0f && m_old != neg_inf) {
      float* o = t.o + r * t.d;
      const Vec va(alpha);
      int64_t k = 0;
      for (; k + W <= t.d; k += W) (Vec::loadu(o + k) * va).store(o + k);
      for (; k < t.d; ++k) o[k] *= alpha;
    }
  }
}

}  // namespace pevlm::attention::fused
