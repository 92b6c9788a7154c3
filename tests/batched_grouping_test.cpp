// The batched executor's schedule (attention/batched/batch_grouping.h): which query ranges share
// one kernel call. Expectations are hand-derived from the layouts' token counts.
#include <gtest/gtest.h>

#include "attention/batched/batch_grouping.h"
#include "tests/methods_test_util.h"

namespace pevlm {
namespace {

using attention::batched::schedule_plan;

// 7 text tokens, 10 frames x 20 tokens, 9 question tokens: L = 216, question at 207.
TokenLayout layout_216() { return make_synthetic_layout(SyntheticLayoutSpec{7, 10, 20, 9, false, 1, 20, 1}); }

TEST(BatchedGrouping, PevlmBlocksShareOneSinkCall) {
  // Sink = 7 + 2 frames = [0, 47); blocks of 3 frames (60 tokens): [47,107) [107,167) [167,207) (last: 2 frames).
  const auto s = schedule_plan(testing::plan_for({{"name", "pevlm"}, {"sink_frames", 2}, {"block_frames", 3}}, layout_216()));
  // The sink (itself causal), the blocks seeing the sink, the question (a one-range run: it sees
  // [0, 207) non-causally + itself causally, the same two-call shape).
  ASSERT_EQ(s.runs.size(), 3u);
  EXPECT_EQ(s.runs[0].begin, 0);
  EXPECT_EQ(s.runs[0].end, 47);
  EXPECT_TRUE(s.runs[0].shared.empty());
  const auto& blocks = s.runs[1];
  EXPECT_EQ(blocks.begin, 47);
  EXPECT_EQ(blocks.end, 207);
  ASSERT_EQ(blocks.shared.size(), 1u);
  EXPECT_EQ(blocks.shared[0].begin, 0);
  EXPECT_EQ(blocks.shared[0].end, 47);
  ASSERT_EQ(blocks.blocks.size(), 2u);  // 2 blocks of 60 batched, the partial block of 40 alone
  EXPECT_EQ(blocks.blocks[0].begin, 47);
  EXPECT_EQ(blocks.blocks[0].size, 60);
  EXPECT_EQ(blocks.blocks[0].count, 2);
  EXPECT_EQ(blocks.blocks[1].begin, 167);
  EXPECT_EQ(blocks.blocks[1].size, 40);
  EXPECT_EQ(blocks.blocks[1].count, 1);
  EXPECT_EQ(blocks.num_ranges(), 3);
  // The question's keys sink + blocks are coalesced into one non-causal range.
  const auto& question = s.runs[2];
  EXPECT_EQ(question.begin, 207);
  EXPECT_EQ(question.end, 216);
  ASSERT_EQ(question.shared.size(), 1u);
  EXPECT_EQ(question.shared[0].begin, 0);
  EXPECT_EQ(question.shared[0].end, 207);
  EXPECT_FALSE(question.shared[0].causal);
  EXPECT_TRUE(s.generic.empty());
  EXPECT_TRUE(s.redundant.empty());
}

TEST(BatchedGrouping, BlockAttentionIsOneRunAndApeKeepsGroups) {
  // Block-Attention, 37-token blocks over [0, 207): 5 of 37 + one of 22, no shared keys.
  const auto b = schedule_plan(testing::plan_for({{"name", "block_attention"}, {"block_tokens", 37}}, layout_216()));
  ASSERT_EQ(b.runs.size(), 2u);  // blocks, question
  EXPECT_TRUE(b.runs[0].shared.empty());
  ASSERT_EQ(b.runs[0].blocks.size(), 2u);
  EXPECT_EQ(b.runs[0].blocks[0].count, 5);
  EXPECT_EQ(b.runs[0].blocks[1].size, 207 - 5 * 37);
  // APE: the question's prefix (group 0) and context (group 1) stay separate ranges.
  const auto a = schedule_plan(
      testing::plan_for({{"name", "ape"}, {"prefix_tokens", 11}, {"block_tokens", 50}, {"temperature", 0.5}}, layout_216()));
  const auto& q = a.runs.back();
  EXPECT_EQ(q.begin, 207);
  ASSERT_EQ(q.shared.size(), 2u);
  EXPECT_EQ(q.shared[0].group, 0);
  EXPECT_EQ(q.shared[1].group, 1);
  EXPECT_EQ(q.shared[1].begin, 11);
  EXPECT_EQ(q.shared[1].end, 207);
}

TEST(BatchedGrouping, StarRecomputeBatchesIdenticalAnchors) {
  // Anchor 20 tokens, blocks of 45 from 0: [0,45) sees itself; 4 more blocks see the anchor [0,20).
  const auto s = schedule_plan(testing::plan_for(
      {{"name", "star"}, {"block_tokens", 45}, {"anchor_tokens", 20}, {"recompute_anchor", true}}, layout_216()));
  ASSERT_EQ(s.redundant.size(), 1u);
  EXPECT_EQ(s.redundant[0].range.begin, 0);
  EXPECT_EQ(s.redundant[0].range.end, 20);
  EXPECT_EQ(s.redundant[0].count, 4);
}

TEST(BatchedGrouping, NonBlockShapesAreGeneric) {
  // A range whose causal key range is not last, or that sees a later range, cannot be batched.
  AttentionPlan plan;
  plan.method = "hand";
  plan.length = 6;
  plan.positions = PositionIds(1, 6);
  plan.queries = {QueryRange{0, 3, "sink", -1, {KeyRange{0, 3, true, 0}}},
                  QueryRange{3, 6, "question", -1, {KeyRange{3, 6, true, 0}, KeyRange{0, 3, false, 0}}}};
  plan.decode_keys = {KeyRange{0, 6, false, 0}};
  const auto s = schedule_plan(plan);
  ASSERT_EQ(s.runs.size(), 1u);
  ASSERT_EQ(s.generic.size(), 1u);
  EXPECT_EQ(s.generic[0].begin, 3);
  EXPECT_EQ(s.generic[0].keys.size(), 2u);
}

TEST(BatchedGrouping, CoalesceKeepsCausalAndGroupBoundaries) {
  using attention::batched::coalesce_keys;
  const auto k = coalesce_keys({KeyRange{0, 5, false, 0}, KeyRange{5, 9, false, 0}, KeyRange{9, 12, false, 1},
                                KeyRange{12, 12, false, 1}, KeyRange{12, 20, true, 0}});
  ASSERT_EQ(k.size(), 3u);
  EXPECT_EQ(k[0].end, 9);
  EXPECT_EQ(k[1].begin, 9);
  EXPECT_EQ(k[1].group, 1);
  EXPECT_TRUE(k[2].causal);
}

}  // namespace
}  // namespace pevlm
