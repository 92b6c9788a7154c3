// vertical_slash_to_plan (issue 25) against a line-by-line transcription of the reference kernel
// (microsoft/MInference csrc/vertical_slash_index.cu convert_vertical_slash_indexes_kernel, commit
// fb56c91, lines 27-99: one 64-row block per thread, slashes widened to 64-key ranges, columns outside
// them kept one by one), on random index sets with the reference's always-kept entries: the optimised
// conversion (a binary-searched skip, appended intervals, blocks in parallel) must produce the same
// intervals exactly. And the estimator's bf16 products score the same columns and diagonals as fp32
// products within one bf16 rounding of the logits.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <set>

#include "methods/sparse/sparse_estimator.h"

namespace pevlm {
namespace {

// The kernel's loop as written there (save_blocks / save_list collected as intervals).
void reference_conversion(const std::vector<int64_t>& vertical, const std::vector<int64_t>& slash, int64_t head, SparsePlan& plan) {
  const int64_t L = plan.length, M = 64, nnz_v = int64_t(vertical.size()), nnz_s = int64_t(slash.size());
  for (int64_t bm = 0; bm < plan.num_query_blocks(); ++bm) {
    auto& list = plan.keys(head, bm);
    const int64_t end_m = bm * M + M;
    int64_t s = 0, v = 0, v_idx = vertical[size_t(v++)], s_idx = slash[size_t(s++)];
    while (s_idx >= end_m) s_idx = slash[size_t(s++)];
    s_idx = std::max(end_m - s_idx, M);
    int64_t range_start = s_idx - M, range_end = s_idx;
    while (true) {
      if (v_idx < range_end) {
        if (v_idx < range_start) add_interval(list, v_idx, v_idx + 1);
        v_idx = v < nnz_v ? vertical[size_t(v++)] : end_m + M;
      } else {
        if (s < nnz_s) {
          s_idx = std::max(end_m - slash[size_t(s++)], M);
        } else {
          add_interval(list, std::min(range_start, L), std::min(range_end, L));
          break;
        }
        if (s_idx > range_end + M) {
          add_interval(list, std::min(range_start, L), std::min(range_end, L));
          range_start = s_idx - M;
          range_end = s_idx;
        } else if (s_idx > range_end) {
          range_end += M;
        }
      }
    }
  }
}

// `count` distinct values of [0, n) always including `always` (ascending or descending).
std::vector<int64_t> draw(std::mt19937& rng, int64_t n, int64_t count, const std::vector<int64_t>& always, bool descending) {
  std::set<int64_t> s(always.begin(), always.end());
  while (int64_t(s.size()) < std::min(count, n)) {
    // Clustered draws (runs of neighbours, as real top-k columns and diagonals come) and scattered ones.
    const int64_t c = int64_t(rng() % uint32_t(n)), run = rng() % 3 == 0 ? int64_t(rng() % 24) : 0;
    for (int64_t x = c; x <= std::min(n - 1, c + run); ++x) s.insert(x);
  }
  std::vector<int64_t> out(s.begin(), s.end());
  if (descending) std::reverse(out.begin(), out.end());
  return out;
}

TEST(VerticalSlashPlan, ConversionEqualsTheKernelsLoop) {
  std::mt19937 rng(11);
  int checked = 0;
  for (int64_t L : {1, 63, 64, 65, 200, 777, 4099}) {
    for (int trial = 0; trial < 6; ++trial) {
      const int64_t heads = 3, nv = 1 + int64_t(rng() % 300), ns = 1 + int64_t(rng() % 400);
      std::vector<int64_t> cols_always, diag_always;
      for (int64_t c = 0; c < std::min<int64_t>(L, 30); ++c) cols_always.push_back(c);
      for (int64_t o = 0; o < std::min<int64_t>(L, 100); ++o) diag_always.push_back(o);
      SparsePlan want("vertical_slash", L, heads, 64), got("vertical_slash", L, heads, 64);
      for (int64_t h = 0; h < heads; ++h) {
        const auto v = draw(rng, L, std::max<int64_t>(nv, int64_t(cols_always.size())), cols_always, false);
        const auto s = draw(rng, L, std::max<int64_t>(ns, int64_t(diag_always.size())), diag_always, true);
        reference_conversion(v, s, h, want);
        vertical_slash_to_plan(v, s, h, got);
      }
      ASSERT_EQ(got.intervals, want.intervals) << "L " << L << " trial " << trial;
      got.validate();
      ++checked;
    }
  }
  EXPECT_EQ(checked, 42);
}

// The estimate's parallel (head, block) conversion equals the per-head one.
TEST(VerticalSlashPlan, EstimateConvertsLikeThePerHeadFunction) {
  at::manual_seed(4);
  const int64_t L = 1500, hq = 6, hkv = 2, d = 32;
  const at::Tensor q = at::randn({L, hq, d}), k = at::randn({L, hkv, d});
  const VerticalSlashIndices idx = vertical_slash_indices(q, k, 90, 300, 64);
  SparsePlan want("vertical_slash", L, hq, 64);
  for (int64_t h = 0; h < hq; ++h) vertical_slash_to_plan(idx.vertical[size_t(h)], idx.slash[size_t(h)], h, want);
  EXPECT_EQ(vertical_slash_estimate(q, k, 90, 300, 64).plan.intervals, want.intervals);
}

// bf16 products: each logit moves by at most one bf16 rounding (2^-8 relative) of the scaled product,
// so each softmax probability by a factor within exp(+-2 |logit|max 2^-8), and a score (a sum of lq
// probabilities, each <= 1) by at most lq x (exp(2 |logit|max 2^-8) - 1) -- plus the bf16 rounding of
// the inputs themselves, which are bf16 already in both runs. Refused for fp32 inputs.
TEST(VerticalSlashPlan, Bf16ProductsScoreWithinBf16Rounding) {
  at::manual_seed(6);
  const int64_t L = 900, hq = 4, hkv = 2, d = 64, lq = 64;
  const at::Tensor q = at::randn({L, hq, d}).to(at::kBFloat16), k = at::randn({L, hkv, d}).to(at::kBFloat16);
  const VerticalSlashScores f32 = vertical_slash_scores(q, k, lq, EstimatorProducts::F32);
  const VerticalSlashScores b16 = vertical_slash_scores(q, k, lq, EstimatorProducts::Bf16);
  const double logit = q.to(at::kFloat).norm(2, -1).max().item<double>() * k.to(at::kFloat).norm(2, -1).max().item<double>() /
                       std::sqrt(double(d));
  const double tol = double(lq) * std::expm1(2.0 * logit * std::ldexp(1.0, -8));
  EXPECT_LE((b16.vertical - f32.vertical).abs().max().item<double>(), tol);
  EXPECT_LE((b16.slash - f32.slash).abs().max().item<double>(), tol);
  EXPECT_NEAR(f32.vertical.sum().item<double>(), double(hq * lq), 1e-2);  // each row's softmax sums to 1
  EXPECT_GT((b16.vertical - f32.vertical).abs().max().item<double>(), 0.0);  // the bf16 path really ran
  EXPECT_EQ(vertical_slash_estimate(q, k, 60, 200, lq, EstimatorProducts::Bf16).products, EstimatorProducts::Bf16);
  EXPECT_THROW(vertical_slash_scores(q.to(at::kFloat), k.to(at::kFloat), lq, EstimatorProducts::Bf16), std::invalid_argument);
}

}  // namespace
}  // namespace pevlm
