// Prefix reuse (issue 24 item 7), plan side: for every method and position policy, the plan of the
// question-independent prefix (everything before the question) is the same whatever question follows,
// and the question's rows of the whole plan are exactly what Executor::decode computes on the prefix plan
// (its decode_keys before the prefix end, then causal group-0 keys), so a prefix prefilled once serves
// every question of a video.
#include <gtest/gtest.h>

#include <stdexcept>

#include "methods/prefix_plan.h"
#include "tests/methods_test_util.h"

namespace pevlm {
namespace {

using testing::plan_for;

// Every method with frame and token units, sinks/prefixes/anchors of several sizes, both position policies.
std::vector<nlohmann::json> all_method_entries() {
  std::vector<nlohmann::json> out{{{"name", "full"}}};
  for (const char* pos : {"retain", "reuse"}) {
    for (int b : {1, 2, 3, 100}) {
      out.push_back({{"name", "block_attention"}, {"block_frames", b}, {"positions", pos}});
      out.push_back({{"name", "block_attention"}, {"block_tokens", b * 5}, {"positions", pos}});
      for (int s : {0, 1, 2}) {
        out.push_back({{"name", "pevlm"}, {"sink_frames", s}, {"block_frames", b}, {"positions", pos}});
        out.push_back({{"name", "pevlm"}, {"sink_tokens", s * 7}, {"block_tokens", b * 5}, {"positions", pos}});
        out.push_back({{"name", "ape"}, {"prefix_frames", s}, {"block_frames", b}, {"positions", pos}});
        out.push_back({{"name", "ape"}, {"prefix_tokens", s * 7}, {"block_tokens", b * 5}, {"positions", pos}});
      }
      for (bool recompute : {true, false}) {
        out.push_back({{"name", "star"}, {"block_frames", b}, {"positions", pos}, {"recompute_anchor", recompute}});
        out.push_back({{"name", "star"}, {"block_tokens", b * 5}, {"anchor_tokens", b * 3}, {"positions", pos},
                       {"recompute_anchor", recompute}});
      }
    }
  }
  return out;
}

// Leading text, frames and (optionally) subtitle text between frames, then a question of `question` tokens;
// 1-D positions. The part before the question does not depend on `question`.
TokenLayout interleaved_layout(int64_t question) {
  TokenLayout l;
  int64_t at = 0;
  auto add = [&](SpanKind kind, int64_t n, int64_t frame = -1) {
    l.spans.push_back(Span{kind, at, at + n, frame});
    at += n;
  };
  add(SpanKind::Text, 4);
  for (int64_t f = 0; f < 5; ++f) {
    add(SpanKind::Frame, 3, f);
    if (f % 2 == 0) add(SpanKind::Text, 2);  // a subtitle line after every second frame
  }
  add(SpanKind::Question, question);
  l.length = at;
  l.positions = PositionIds(1, l.length);
  for (int64_t i = 0; i < l.length; ++i) l.positions.at(0, i) = i;
  l.validate();
  return l;
}

// The layout families: M-RoPE and 1-D synthetic layouts (leading text + frames) and interleaved subtitles.
std::vector<TokenLayout> layouts_with_question(int64_t question) {
  return {make_synthetic_layout(SyntheticLayoutSpec{5, 6, 4, question, true, 2, 2, 2}),
          make_synthetic_layout(SyntheticLayoutSpec{3, 4, 6, question, false, 2, 3, 1}),
          make_synthetic_layout(SyntheticLayoutSpec{0, 3, 4, question, true, 2, 2, 3}), interleaved_layout(question)};
}

// The whole plan's rows from p on, rebuilt as decode on the prefix plan sees them: keys before p by the
// prefix plan's decode_keys (their groups), keys from p on causal in group 0. Must equal the plan's own rows.
void expect_suffix_rows_match(const AttentionPlan& plan, const AttentionPlan& prefix, const std::string& ctx) {
  const int64_t L = plan.length, p = prefix.length;
  const std::vector<int8_t> groups = plan.dense_groups();
  std::vector<int8_t> before(size_t(p), -1);
  for (const KeyRange& k : prefix.decode_keys)
    for (int64_t j = k.begin; j < k.end; ++j) before[size_t(j)] = int8_t(k.group);
  for (int64_t i = p; i < L; ++i)
    for (int64_t j = 0; j < L; ++j) {
      const int8_t expected = j < p ? before[size_t(j)] : (j <= i ? 0 : -1);
      ASSERT_EQ(groups[size_t(i * L + j)], expected) << ctx << " row " << i << " key " << j;
    }
  // And the prefix rows are the whole plan's rows.
  const std::vector<int8_t> prefix_groups = prefix.dense_groups();
  for (int64_t i = 0; i < p; ++i)
    for (int64_t j = 0; j < p; ++j)
      ASSERT_EQ(prefix_groups[size_t(i * p + j)], groups[size_t(i * L + j)]) << ctx << " prefix row " << i << " key " << j;
}

TEST(PrefixPlan, NoMethodsPrefixDependsOnTheQuestion) {
  int checked = 0;
  for (const nlohmann::json& entry : all_method_entries()) {
    for (size_t family = 0; family < layouts_with_question(1).size(); ++family) {
      AttentionPlan first;
      for (int64_t question : {1, 2, 5, 9}) {
        const TokenLayout layout = layouts_with_question(question)[family];
        const std::string ctx = entry.dump() + " layout " + std::to_string(family) + " question " + std::to_string(question);
        const AttentionPlan plan = plan_for(entry, layout);
        const AttentionPlan prefix = prefix_plan(plan, layout.question_begin());
        EXPECT_EQ(prefix.length, layout.question_begin()) << ctx;
        expect_suffix_rows_match(plan, prefix, ctx);
        if (question == 1) first = prefix;
        else EXPECT_EQ(plan_difference(prefix, first), "") << ctx;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 800);
}

TEST(PrefixPlan, FullAttentionIsCutInsideItsOneRange) {
  const TokenLayout layout = layouts_with_question(3)[0];
  const AttentionPlan full = make_full_plan(layout);
  const int64_t p = layout.question_begin();
  const AttentionPlan prefix = prefix_plan(full, p);
  ASSERT_EQ(prefix.queries.size(), 1u);
  EXPECT_EQ(prefix.queries[0].end, p);
  EXPECT_TRUE(prefix.queries[0].keys[0].causal);
  ASSERT_EQ(prefix.decode_keys.size(), 1u);
  EXPECT_EQ(prefix.decode_keys[0].end, p);
  EXPECT_FALSE(prefix.decode_keys[0].causal);
}

TEST(PrefixPlan, DifferencesAreNamed) {
  const TokenLayout layout = layouts_with_question(3)[0];
  const AttentionPlan a = plan_for({{"name", "pevlm"}, {"sink_frames", 1}, {"block_frames", 2}}, layout);
  const AttentionPlan b = plan_for({{"name", "pevlm"}, {"sink_frames", 1}, {"block_frames", 3}}, layout);
  EXPECT_EQ(plan_difference(a, a), "");
  EXPECT_NE(plan_difference(a, b).find("params"), std::string::npos) << plan_difference(a, b);
  AttentionPlan moved = a;
  moved.positions.at(0, 2) += 1;
  EXPECT_NE(plan_difference(a, moved).find("position of token 2"), std::string::npos);
}

TEST(PrefixPlan, SplitsThatWouldNotBeExactAreErrors) {
  const TokenLayout layout = layouts_with_question(3)[0];
  const AttentionPlan pe = plan_for({{"name", "pevlm"}, {"sink_frames", 1}, {"block_frames", 2}}, layout);
  EXPECT_THROW(prefix_plan(pe, 0), std::logic_error);
  EXPECT_THROW(prefix_plan(pe, layout.length), std::logic_error);
  // Inside the context the rows after the split are several ranges (blocks and question): not one suffix.
  try {
    prefix_plan(pe, layout.frame_start(3));
    FAIL() << "split inside the context accepted";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("method 'pevlm'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace pevlm
