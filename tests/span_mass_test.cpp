// attention/span_mass: the tiled per-segment log-sum-exp masses against the dense float64 reference
// (softmax of every row under plan.dense_groups() with APE's group rule, summed per segment), for
// every method configuration the executors are swept over (block sizes that cut frames, APE with
// T != S, Star, PEVLM sink 0 and reuse), prefill rows and decode rows, fp32 and bf16 inputs, small
// tiles that split segments. Tolerance: fp32 masses in [0, 1] from at most ~130 keys: max-abs 1e-5
// (the bar); the reference sees the same (rounded) inputs.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include "attention/span_mass.h"
#include "tests/attention_test_util.h"

namespace pevlm::testing {
namespace {

std::vector<int64_t> layout_bounds(const TokenLayout& layout) {
  std::vector<int64_t> b;
  for (const Span& s : layout.spans) b.push_back(s.begin);
  b.push_back(layout.length);
  return b;
}

TokenLayout test_layout() { return make_synthetic_layout(SyntheticLayoutSpec{6, 6, 20, 5, false, 1, 20, 1}); }

void expect_masses_close(const at::Tensor& got, const at::Tensor& ref, const std::string& ctx) {
  ASSERT_EQ(got.sizes(), ref.sizes()) << ctx;
  EXPECT_FALSE(at::isnan(got).any().item<bool>()) << ctx;
  EXPECT_LE((got.to(at::kDouble) - ref).abs().max().item<double>(), 1e-5) << ctx;
  EXPECT_LE((got.to(at::kDouble).sum(-1) - 1.0).abs().max().item<double>(), 1e-5) << ctx << " (sum of masses)";
}

TEST(SpanMass, EveryRowMatchesTheDenseReference) {
  at::manual_seed(13);
  const TokenLayout layout = test_layout();
  const int64_t L = layout.length;
  const std::vector<int64_t> bounds = layout_bounds(layout);
  for (const auto& entry : executor_sweep_methods()) {
    const AttentionPlan plan = plan_for(entry, layout);
    // Peaky logits (x3) so that spans differ by orders of magnitude.
    const at::Tensor q = at::randn({L, 8, 16}) * 3, k = at::randn({L, 2, 16});
    const at::Tensor ref = attention::reference_span_masses(plan, q, k, 0, L, bounds, 0.0);
    for (auto [qt, kt] : std::vector<std::pair<int64_t, int64_t>>{{64, 2048}, {7, 13}}) {
      const at::Tensor got = attention::span_masses(plan.queries, plan.groups, q, 0, k, bounds, 0.0, {qt, kt});
      expect_masses_close(got, ref, entry.dump() + " tiles " + std::to_string(qt) + "x" + std::to_string(kt));
    }
    // The question rows alone (what pevlm analyze reads), passed as a slice.
    const int64_t qb = layout.question_begin();
    const at::Tensor got_q = attention::span_masses(plan.queries, plan.groups, q.narrow(0, qb, L - qb), qb, k, bounds, 0.0);
    expect_masses_close(got_q, ref.narrow(1, qb, L - qb), entry.dump() + " question rows");
  }
}

TEST(SpanMass, Bf16InputsMatchTheReferenceOnTheSameRoundedValues) {
  at::manual_seed(14);
  const TokenLayout layout = test_layout();
  const int64_t L = layout.length;
  const std::vector<int64_t> bounds = layout_bounds(layout);
  const AttentionPlan plan =
      plan_for({{"name", "ape"}, {"prefix_frames", 1}, {"block_frames", 2}, {"temperature", 0.5}, {"scale", 1.3}}, layout);
  const at::Tensor q = (at::randn({L, 4, 16}) * 2).to(at::kBFloat16), k = at::randn({L, 2, 16}).to(at::kBFloat16);
  expect_masses_close(attention::span_masses(plan.queries, plan.groups, q, 0, k, bounds, 0.0),
                      attention::reference_span_masses(plan, q, k, 0, L, bounds, 0.0), "ape bf16");
}

// The generated query: decode_query_range() against the reference on a plan extended by one row
// that sees decode_keys and itself (Executor::decode's rule), after L and after L + 2 keys.
TEST(SpanMass, DecodeRowsMatchTheReference) {
  at::manual_seed(15);
  const TokenLayout layout = test_layout();
  const int64_t L = layout.length;
  for (const auto& entry : executor_sweep_methods()) {
    const AttentionPlan plan = plan_for(entry, layout);
    for (int64_t past : {L, L + 2}) {
      const QueryRange r = attention::decode_query_range(plan, past, 1);
      AttentionPlan ext = plan;
      ext.length = past + 1;
      if (past > L) ext.queries.push_back(QueryRange{L, past, "generated", -1, {KeyRange{L, past, true, 0}}});
      ext.queries.push_back(r);
      std::vector<int64_t> bounds = layout_bounds(layout);
      bounds.push_back(past + 1);
      const at::Tensor q = at::randn({past + 1, 4, 16}) * 3, k = at::randn({past + 1, 2, 16});
      const at::Tensor got = attention::span_masses({r}, plan.groups, q.narrow(0, past, 1), past, k, bounds, 0.0, {4, 9});
      expect_masses_close(got, attention::reference_span_masses(ext, q, k, past, past + 1, bounds, 0.0),
                          entry.dump() + " past " + std::to_string(past));
    }
  }
}

TEST(SpanMass, HugeLogitsStayFinite) {
  const TokenLayout layout = test_layout();
  const int64_t L = layout.length;
  const AttentionPlan plan = plan_for({{"name", "ape"}, {"prefix_tokens", 11}, {"block_tokens", 50}, {"temperature", 0.9}, {"scale", 0.9}}, layout);
  at::manual_seed(16);
  const at::Tensor q = at::randn({L, 2, 8}) * 60, k = at::randn({L, 2, 8}) * 60;  // logits of +-1e4
  const at::Tensor got = attention::span_masses(plan.queries, plan.groups, q, 0, k, layout_bounds(layout), 0.0);
  EXPECT_TRUE(at::isfinite(got).all().item<bool>());
  EXPECT_LE((got.sum(-1) - 1).abs().max().item<double>(), 1e-5);
}

TEST(SpanMass, RowsOutsideTheRangesAndBadSegmentsAreErrors) {
  const TokenLayout layout = test_layout();
  const AttentionPlan plan = plan_for({{"name", "full"}}, layout);
  const at::Tensor q = at::randn({4, 2, 8}), k = at::randn({layout.length, 2, 8});
  const std::vector<int64_t> bounds = layout_bounds(layout);
  EXPECT_THROW(attention::span_masses({}, plan.groups, q, 0, k, bounds, 0.0), std::invalid_argument);
  EXPECT_THROW(attention::span_masses(plan.queries, plan.groups, q, 0, k, {0, 5, 5, layout.length}, 0.0), std::invalid_argument);
  EXPECT_THROW(attention::span_masses(plan.queries, plan.groups, q, 0, k, {0, 5}, 0.0), std::invalid_argument);
  EXPECT_THROW(attention::decode_query_range(plan, layout.length - 1, 1), std::invalid_argument);
}

}  // namespace
}  // namespace pevlm::testing
