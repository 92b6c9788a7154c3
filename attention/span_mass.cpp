// Span masses from per-segment log-sum-exp; see span_mass.h for the formula.
#include "attention/span_mass.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace pevlm::attention {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

void check_bounds(const std::vector<int64_t>& bounds, int64_t keys) {
  if (bounds.size() < 2) throw std::invalid_argument("span_masses: need at least one key segment (2 bounds)");
  for (size_t s = 1; s < bounds.size(); ++s)
    if (bounds[s] <= bounds[s - 1])
      throw std::invalid_argument("span_masses: segment bounds must increase, got " + std::to_string(bounds[s - 1]) +
                                  " then " + std::to_string(bounds[s]));
  if (bounds.front() != 0 || bounds.back() > keys)
    throw std::invalid_argument("span_masses: segments must start at key 0 and end by key " + std::to_string(keys) +
                                ", got [" + std::to_string(bounds.front()) + ", " + std::to_string(bounds.back()) + ")");
}

// Queries [t0, t1) as [Hkv, G * nt, D] float32 (query head h = kv * G + g, the executors' GQA rule).
at::Tensor grouped_queries(const at::Tensor& q_nHD, int64_t row0, int64_t nt, int64_t hkv) {
  const int64_t hq = q_nHD.size(1), d = q_nHD.size(2);
  return q_nHD.narrow(0, row0, nt).to(at::kFloat).permute({1, 0, 2}).reshape({hkv, (hq / hkv) * nt, d});
}

// log sum exp over the last axis of float32 logits [Hq, nt, n], returned in float64 as max + log(sum):
// the max is an exact logit and the log of the sum is O(log n), so the result keeps the logits' own
// precision even when they are large (a float32 lse of logits near 1e4 would carry a 1e-3 rounding
// error into every mass). -inf where every logit is masked.
at::Tensor segment_logsumexp(const at::Tensor& s_HQn) {
  const at::Tensor m = std::get<0>(s_HQn.max(2, /*keepdim=*/true));
  const at::Tensor m_safe = at::where(at::isfinite(m), m, at::zeros_like(m));
  const at::Tensor log_sum = at::log(at::exp(s_HQn - m_safe).sum(2, /*keepdim=*/true));
  return (m_safe.to(at::kDouble) + log_sum.to(at::kDouble)).squeeze(2);
}

// Per (head, query, segment, group) log-sum-exp of the tempered logits of one query tile
// [t0, t1) inside query range `r`: acc_HQSG [Hq, nt, S * NG], -inf where nothing is visible.
at::Tensor segment_lse(const QueryRange& r, const std::vector<LogitGroup>& groups, const at::Tensor& q_GnD, int64_t t0,
                       int64_t t1, const at::Tensor& k_LHD, const std::vector<int64_t>& bounds, double scale,
                       int64_t key_tile, int64_t hq) {
  const int64_t nt = t1 - t0, S = int64_t(bounds.size()) - 1, NG = int64_t(groups.size());
  at::Tensor acc = at::full({hq, nt, S * NG}, kNegInf, q_GnD.options().dtype(at::kDouble));  // float64: see segment_logsumexp
  const at::Tensor rows = at::arange(t0, t1, q_GnD.options().dtype(at::kLong)).unsqueeze(1);  // [nt, 1]
  for (const KeyRange& kr : r.keys) {
    // Causal range (== the query range): query i sees keys <= i, so nothing at or after t1.
    const int64_t kend = kr.causal ? std::min(kr.end, t1) : kr.end;
    const double tempered = scale / groups.at(size_t(kr.group)).temperature;
    if (kr.begin < bounds.front() || kr.end > bounds.back())
      throw std::invalid_argument("span_masses: key range [" + std::to_string(kr.begin) + ", " + std::to_string(kr.end) +
                                  ") lies outside the segments [" + std::to_string(bounds.front()) + ", " +
                                  std::to_string(bounds.back()) + ")");
    for (int64_t k0 = kr.begin; k0 < kend; k0 += key_tile) {
      const int64_t kt = std::min(key_tile, kend - k0);
      const at::Tensor k_GDK = k_LHD.narrow(0, k0, kt).to(at::kFloat).permute({1, 2, 0});  // [Hkv, D, kt]
      at::Tensor s_HQK = at::bmm(q_GnD, k_GDK).view({hq, nt, kt}).mul_(tempered);
      if (kr.causal && k0 + kt - 1 > t0) {
        const at::Tensor keys = at::arange(k0, k0 + kt, rows.options()).unsqueeze(0);  // [1, kt]
        s_HQK.masked_fill_((keys > rows).unsqueeze(0), kNegInf);
      }
      // Segments overlapping [k0, k0 + kt): logsumexp over each overlap, merged into the accumulator.
      int64_t seg = int64_t(std::upper_bound(bounds.begin(), bounds.end(), k0) - bounds.begin()) - 1;
      for (; seg < S && bounds[size_t(seg)] < k0 + kt; ++seg) {
        const int64_t a = std::max(k0, bounds[size_t(seg)]), b = std::min(k0 + kt, bounds[size_t(seg) + 1]);
        at::Tensor slot = acc.select(2, seg * NG + kr.group);
        slot.copy_(at::logaddexp(slot, segment_logsumexp(s_HQK.narrow(2, a - k0, b - a))));
      }
    }
  }
  return acc;
}

// acc [Hq, nt, S * NG] float64 -> masses [Hq, nt, S] float32 with the group rule (span_mass.h).
at::Tensor combine_groups(const at::Tensor& acc, const std::vector<LogitGroup>& groups, int64_t S) {
  const int64_t NG = int64_t(groups.size());
  at::Tensor a = acc.view({acc.size(0), acc.size(1), S, NG});
  at::Tensor lse_g = at::logsumexp(a, {2});  // [Hq, nt, NG]
  std::vector<double> e(groups.size());
  for (size_t g = 0; g < groups.size(); ++g) e[g] = groups[g].weight_exponent;
  const at::Tensor e_G = at::tensor(e).to(acc.device(), at::kDouble);
  const at::Tensor finite = at::isfinite(lse_g);
  const at::Tensor neg_inf = at::full({}, kNegInf, acc.options());
  at::Tensor w = at::where(finite, lse_g * e_G, neg_inf);
  at::Tensor W = at::logsumexp(w, {2}, /*keepdim=*/true);
  // log coefficient of a segment's own lse: e_g lse_g - W - lse_g (0 weight for empty groups).
  at::Tensor log_coef = at::where(finite, w - W - lse_g, neg_inf).unsqueeze(2);  // [Hq, nt, 1, NG]
  at::Tensor term = at::where(at::isfinite(a), at::exp(a + log_coef), at::zeros({}, acc.options()));
  return term.sum(3).to(at::kFloat);
}

}  // namespace

at::Tensor span_masses(const std::vector<QueryRange>& ranges, const std::vector<LogitGroup>& groups,
                       const at::Tensor& q_nHD, int64_t q_begin, const at::Tensor& k_LHD,
                       const std::vector<int64_t>& bounds, double scale, const SpanMassOptions& options) {
  TORCH_CHECK(q_nHD.dim() == 3 && k_LHD.dim() == 3, "span_masses: q and k must be [tokens, heads, head_dim]");
  const int64_t n = q_nHD.size(0), hq = q_nHD.size(1), hkv = k_LHD.size(1), S = int64_t(bounds.size()) - 1;
  TORCH_CHECK(hkv > 0 && hq % hkv == 0, "span_masses: query heads ", hq, " not a multiple of KV heads ", hkv);
  TORCH_CHECK(q_nHD.size(2) == k_LHD.size(2), "span_masses: head_dim of q and k differ");
  if (options.query_tile < 1 || options.key_tile < 1) throw std::invalid_argument("span_masses: tiles must be >= 1");
  check_bounds(bounds, k_LHD.size(0));
  if (scale == 0.0) scale = 1.0 / std::sqrt(double(q_nHD.size(2)));
  at::Tensor out = at::full({hq, n, S}, std::numeric_limits<float>::quiet_NaN(), q_nHD.options().dtype(at::kFloat));
  int64_t covered = 0;
  for (const QueryRange& r : ranges) {
    const int64_t a = std::max(r.begin, q_begin), b = std::min(r.end, q_begin + n);
    for (int64_t t0 = a; t0 < b; t0 += options.query_tile) {
      const int64_t t1 = std::min(b, t0 + options.query_tile);
      const at::Tensor q_GnD = grouped_queries(q_nHD, t0 - q_begin, t1 - t0, hkv);
      const at::Tensor acc = segment_lse(r, groups, q_GnD, t0, t1, k_LHD, bounds, scale, options.key_tile, hq);
      out.narrow(1, t0 - q_begin, t1 - t0).copy_(combine_groups(acc, groups, S));
      covered += t1 - t0;
    }
  }
  if (covered != n)
    throw std::invalid_argument("span_masses: the query ranges cover " + std::to_string(covered) + " of the " +
                                std::to_string(n) + " query rows [" + std::to_string(q_begin) + ", " +
                                std::to_string(q_begin + n) + ")");
  return out;
}

QueryRange decode_query_range(const AttentionPlan& plan, int64_t past, int64_t n) {
  if (past < plan.length || n < 1)
    throw std::invalid_argument("decode_query_range: " + std::to_string(n) + " tokens after a cache of " +
                                std::to_string(past) + " rows, plan length " + std::to_string(plan.length));
  QueryRange r{past, past + n, "generated", -1, plan.decode_keys};
  if (past > plan.length) r.keys.push_back(KeyRange{plan.length, past, false, 0});
  r.keys.push_back(KeyRange{past, past + n, true, 0});
  return r;
}

at::Tensor reference_span_masses(const AttentionPlan& plan, const at::Tensor& q_LHD, const at::Tensor& k_LHD,
                                 int64_t q_begin, int64_t q_end, const std::vector<int64_t>& bounds, double scale) {
  const int64_t L = plan.length, hq = q_LHD.size(1), hkv = k_LHD.size(1);
  if (L > 4096) throw std::invalid_argument("reference_span_masses: " + std::to_string(L) + " tokens is too many (max 4096)");
  check_bounds(bounds, L);
  if (scale == 0.0) scale = 1.0 / std::sqrt(double(q_LHD.size(2)));
  const std::vector<int8_t> dg = plan.dense_groups();
  const at::Tensor groups_QK =
      at::from_blob(const_cast<int8_t*>(dg.data()), {L, L}, at::kChar).to(at::kLong).narrow(0, q_begin, q_end - q_begin);
  const at::Tensor q = q_LHD.narrow(0, q_begin, q_end - q_begin).to(at::kDouble).cpu().permute({1, 0, 2});
  const at::Tensor k = k_LHD.to(at::kDouble).cpu().permute({1, 0, 2}).repeat_interleave(hq / hkv, 0);
  const at::Tensor s = at::matmul(q, k.transpose(1, 2)) * scale;  // [Hq, n, L]
  const double neg_inf = -std::numeric_limits<double>::infinity();
  std::vector<at::Tensor> w, p;  // per group: log weight e_g lse_g [Hq, n, 1], in-group softmax [Hq, n, L]
  for (size_t g = 0; g < plan.groups.size(); ++g) {
    const at::Tensor in_g = (groups_QK == int64_t(g)).unsqueeze(0);
    const at::Tensor sg = at::where(in_g, s / plan.groups[g].temperature, at::full({}, neg_inf, s.options()));
    const at::Tensor lse = at::logsumexp(sg, -1, true);
    const at::Tensor has = at::isfinite(lse);
    p.push_back(at::where(has, at::exp(sg - at::where(has, lse, at::zeros_like(lse))), at::zeros_like(sg)));
    w.push_back(at::where(has, lse * plan.groups[g].weight_exponent, at::full({}, neg_inf, lse.options())));
  }
  const at::Tensor W = at::logsumexp(at::cat(w, -1), -1, true);
  at::Tensor prob = at::zeros_like(s);
  for (size_t g = 0; g < w.size(); ++g) prob += at::exp(w[g] - W) * p[g];
  std::vector<at::Tensor> masses;
  for (size_t seg = 0; seg + 1 < bounds.size(); ++seg)
    masses.push_back(prob.narrow(2, bounds[seg], bounds[seg + 1] - bounds[seg]).sum(-1));
  return at::stack(masses, -1);  // [Hq, n, S] float64
}

}  // namespace pevlm::attention
