// Token reduction without a model: reduced TokenLayouts (gapped positions, shrinking / vanishing spans,
// plans built on them), FastV's count and top-k on hand-made scores, the matched-token baselines (uniform
// frames, 2x2 pooling) on hand-computed cases, applying merges, and the `reduction:` registry.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include "methods/method_registry.h"
#include "reduction/fastv_select.h"
#include "reduction/matched_baselines.h"
#include "reduction/reduced_layout.h"
#include "reduction/reduction_registry.h"
#include "reduction/apply_merge.h"

namespace pevlm::reduction {
namespace {

// 5 system tokens, 6 frames of 4 tokens (2x2 grid, M-RoPE t stride 2), 3 question tokens: L = 32.
TokenLayout small(bool mrope = true) { return make_synthetic_layout(SyntheticLayoutSpec{5, 6, 4, 3, mrope, 2, 2, 2}); }

std::vector<int64_t> range(int64_t a, int64_t b) {
  std::vector<int64_t> v;
  for (int64_t i = a; i < b; ++i) v.push_back(i);
  return v;
}

TEST(ReducedLayout, KeepsOriginalPositionsAndShrinksSpans) {
  const TokenLayout full = small();
  // Keep the system text, 2 tokens of frame 0, nothing of frame 1, all of frames 2..5, the question.
  std::vector<int64_t> kept = range(0, 5);
  for (int64_t i : {5, 8}) kept.push_back(i);
  for (int64_t i : range(13, 32)) kept.push_back(i);
  const TokenLayout r = subset_layout(full, kept);
  EXPECT_EQ(r.length, int64_t(kept.size()));
  EXPECT_EQ(r.num_frames(), 5);  // frame 1 vanished
  ASSERT_EQ(r.spans.size(), 7u);
  EXPECT_EQ(r.spans[1].frame_index, 0);
  EXPECT_EQ(r.spans[1].size(), 2);
  EXPECT_EQ(r.spans[2].frame_index, 2);
  EXPECT_EQ(r.spans[2].begin, 7);
  for (int a = 0; a < 3; ++a)
    for (size_t i = 0; i < kept.size(); ++i) EXPECT_EQ(r.positions.at(a, int64_t(i)), full.positions.at(a, kept[i]));
  EXPECT_EQ(r.positions.max_id(), full.positions.max_id());  // decode continues where full attention would

  // PEVLM on the reduced layout: blocks of whole (reduced) frames, sink = the first frame.
  const AttentionPlan plan = build_plan(resolve_method({{"name", "pevlm"}, {"sink_frames", 1}, {"block_frames", 2}}), r);
  EXPECT_EQ(plan.length, r.length);
  EXPECT_EQ(plan.positions, r.positions);
  EXPECT_EQ(plan.token_counts()["sink"], 5 + 2);  // system text + the 2 kept tokens of frame 0
}

TEST(ReducedLayout, RejectsBadKeptLists) {
  const TokenLayout full = small();
  EXPECT_THROW(subset_layout(full, {0, 2, 2, 31}), std::invalid_argument);
  EXPECT_THROW(subset_layout(full, {0, 40}), std::invalid_argument);
  EXPECT_THROW(subset_layout(full, {0, 1, 30}), std::invalid_argument);  // the last token dropped
  EXPECT_THROW(with_non_visual(full, {2}), std::invalid_argument);       // not a frame token
}

// A Qwen3-VL-like layout: 3 system tokens; 2 frames, each "<t>" "<vision_start>" (lead 2), a 2x2 grid of
// visual tokens, "<vision_end>" (tail 1); 2 question tokens. L = 19.
TokenLayout qwen3_like() {
  TokenLayout l;
  l.length = 19;
  l.positions = PositionIds(3, l.length);
  for (int a = 0; a < 3; ++a)
    for (int64_t i = 0; i < l.length; ++i) l.positions.at(a, i) = i;
  l.spans.push_back(Span{SpanKind::Text, 0, 3, -1});
  for (int64_t f = 0; f < 2; ++f) {
    const int64_t b = 3 + 7 * f;
    Span s{SpanKind::Frame, b, b + 7, f};
    s.lead = 2;
    s.tail = 1;
    l.spans.push_back(s);
    for (int64_t r = 0; r < 2; ++r)
      for (int64_t c = 0; c < 2; ++c) {
        const int64_t i = b + 2 + r * 2 + c;
        l.positions.at(0, i) = b + 2, l.positions.at(1, i) = b + 2 + r, l.positions.at(2, i) = b + 2 + c;
      }
  }
  l.spans.push_back(Span{SpanKind::Question, 17, 19, -1});
  l.validate();
  return l;
}

TEST(ReducedLayout, FramesWithNonVisualTokensReduceOnlyTheirVisualTokens) {
  const TokenLayout l = qwen3_like();
  EXPECT_EQ(frame_tokens(l), (std::vector<int64_t>{5, 6, 7, 8, 12, 13, 14, 15}));
  EXPECT_NO_THROW(check_frame_tokens_are_visual(l, frame_tokens(l), "test"));
  EXPECT_THROW(check_frame_tokens_are_visual(l, {5, 6, 7, 8}, "test"), std::invalid_argument);
  // Keep 2 visual tokens of frame 0 and none of frame 1: frame 0 keeps its lead / tail, frame 1's
  // timestamp and vision start/end stay as text.
  const TokenLayout r = subset_layout(l, with_non_visual(l, {5, 8}));
  EXPECT_EQ(r.length, 19 - 6);
  EXPECT_EQ(r.num_frames(), 1);
  ASSERT_EQ(r.spans.size(), 4u);
  EXPECT_EQ(r.spans[1].kind, SpanKind::Frame);
  EXPECT_EQ(r.spans[1].lead, 2);
  EXPECT_EQ(r.spans[1].tail, 1);
  EXPECT_EQ(r.spans[1].size(), 5);
  EXPECT_EQ(r.spans[2].kind, SpanKind::Text);
  EXPECT_EQ(r.spans[2].size(), 3);
  EXPECT_EQ(frame_tokens(r), (std::vector<int64_t>{5, 6}));
  // Fewer frames drops a frame whole, its timestamp included, as sampling fewer frames would.
  const std::vector<int64_t> one = uniform_frames_select(l, 4);
  EXPECT_EQ(one, (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 17, 18}));
  EXPECT_EQ(subset_layout(l, one).num_frames(), 1);
  // 2x2 pooling pools the grid, not the timestamp or the vision start/end tokens.
  const TokenMerge m = spatial_pool_merge(l);
  EXPECT_EQ(m.representative.size(), 19u - 6u);
  EXPECT_EQ(subset_layout(l, m.representative).spans[1].lead, 2);
  // Lead / tail are validated: frames keep a visual token, other spans have none.
  TokenLayout bad = l;
  bad.spans[1].tail = 5;
  EXPECT_THROW(bad.validate(), std::invalid_argument);
  bad = l;
  bad.spans[0].lead = 1;
  EXPECT_THROW(bad.validate(), std::invalid_argument);
}

TEST(FastvSelect, KeepCountTruncatesAsTheReference) {
  EXPECT_EQ(fastv_keep_count(576, 0.5), 288);  // fastv_kvcache.py: topk(int(576 * ratio))
  EXPECT_EQ(fastv_keep_count(5, 0.5), 2);      // int(2.5)
  EXPECT_EQ(fastv_keep_count(24, 0.75), 6);
  EXPECT_EQ(fastv_keep_count(7, 0.0), 7);
  EXPECT_THROW(fastv_keep_count(7, 1.0), std::invalid_argument);
  EXPECT_THROW(fastv_keep_count(7, -0.1), std::invalid_argument);
}

TEST(FastvSelect, TopScoresInSequenceOrderTiesToTheEarlierToken) {
  const TokenLayout full = small();
  std::vector<float> s(32, 0.0f);
  // Visual tokens 5..28; r = 0.75 keeps int(24 * 0.25) = 6. Highest: 27 (0.9), 6 (0.8), 20 (0.7), then
  // 0.5 at 9, 11, 12 and 14: the earlier three (9, 11, 12) win the tie. Text scores are ignored.
  s[0] = 5.0f, s[30] = 9.0f;
  s[27] = 0.9f, s[6] = 0.8f, s[20] = 0.7f, s[9] = 0.5f, s[14] = 0.5f, s[11] = 0.5f, s[12] = 0.5f;
  std::vector<int64_t> expect = range(0, 5);
  for (int64_t i : {6, 9, 11, 12, 20, 27}) expect.push_back(i);
  for (int64_t i : range(29, 32)) expect.push_back(i);
  EXPECT_EQ(fastv_select(full, s, 0.75), expect);
  EXPECT_THROW(fastv_select(full, std::vector<float>(31, 0.0f), 0.5), std::invalid_argument);
}

TEST(UniformFrames, LinspaceFramesWithinTheBudget) {
  const TokenLayout full = small();
  EXPECT_EQ(uniform_frames(full, 12), (std::vector<int64_t>{0, 2, 5}));  // np.linspace(0, 5, 3).astype(int)
  EXPECT_EQ(uniform_frames(full, 15), (std::vector<int64_t>{0, 2, 5}));
  EXPECT_EQ(uniform_frames(full, 16), (std::vector<int64_t>{0, 1, 3, 5}));  // linspace(0, 5, 4) = 0, 1.67, 3.33, 5
  EXPECT_EQ(uniform_frames(full, 24), range(0, 6));
  EXPECT_EQ(uniform_frames(full, 1), (std::vector<int64_t>{0}));
  const std::vector<int64_t> kept = uniform_frames_select(full, 12);
  EXPECT_EQ(kept.size(), 5u + 12u + 3u);
  const TokenLayout r = subset_layout(full, kept);
  EXPECT_EQ(r.num_frames(), 3);
  EXPECT_EQ(r.spans[3].frame_index, 5);
  EXPECT_THROW(uniform_frames(full, 0), std::invalid_argument);
}

TEST(SpatialPool, TwoByTwoWindowsTakeTheTopLeftPosition) {
  const TokenLayout full = small();
  const TokenMerge m = spatial_pool_merge(full);
  ASSERT_EQ(m.representative.size(), 5u + 6u + 3u);
  EXPECT_EQ(m.representative[5], 5);
  EXPECT_EQ(m.representative[6], 9);
  ASSERT_EQ(m.sources[5].size(), 4u);
  EXPECT_FLOAT_EQ(m.sources[5][0].second, 0.25f);
  EXPECT_TRUE(m.sources[0].empty());
  // Embeddings: the pooled token is the mean of its window.
  const at::Tensor x = at::arange(32 * 3, at::kFloat).reshape({32, 3});
  const MergedInput out = apply_merge(x, full, m);
  EXPECT_TRUE(at::allclose(out.x_LD[5], x.narrow(0, 5, 4).mean(0)));
  EXPECT_TRUE(at::equal(out.x_LD[0], x[0]));
  EXPECT_TRUE(at::equal(out.x_LD[13], x[31]));
  EXPECT_EQ(out.layout.positions.at(1, 5), full.positions.at(1, 5));
  // A budget pools the fewest frames (linspace) that fit: 24 -> 21 needs 1 pooled frame (frame 0).
  const TokenMerge b = spatial_pool_merge(full, 21);
  EXPECT_EQ(b.representative.size(), 32u - 3u);
  EXPECT_EQ(b.sources[5].size(), 4u);
  EXPECT_THROW(spatial_pool_merge(full, 5), std::invalid_argument);  // pooling all leaves 6
}

TEST(SpatialPool, OddGridsAverageTheClippedWindow) {
  // One frame of 3x3 merged tokens (M-RoPE grid 3 x 3): windows of 4, 2, 2 and 1 tokens.
  const TokenLayout full = make_synthetic_layout(SyntheticLayoutSpec{2, 1, 9, 2, true, 3, 3, 2});
  const TokenMerge m = spatial_pool_merge(full);
  ASSERT_EQ(m.representative, (std::vector<int64_t>{0, 1, 2, 4, 8, 10, 11, 12}));
  EXPECT_EQ(m.sources[2].size(), 4u);  // tokens 2, 3, 5, 6
  EXPECT_EQ(m.sources[3].size(), 2u);  // tokens 4, 7
  EXPECT_EQ(m.sources[4].size(), 2u);  // tokens 8, 9
  EXPECT_EQ(m.sources[5].size(), 1u);  // token 10
  // 1-D layouts: g x g, g x g + 1 (trailing newline) or g x (g + 1) (newline per row); else an error.
  const TokenLayout one_d = make_synthetic_layout(SyntheticLayoutSpec{2, 2, 5, 2, false, 1, 5, 1});
  EXPECT_EQ(frame_grids(one_d)[0].rows, 2);  // 5 = 2 x 2 + 1
  const TokenLayout rows_nl = make_synthetic_layout(SyntheticLayoutSpec{2, 1, 6, 2, false, 1, 6, 1});
  const FrameGrid g = frame_grids(rows_nl)[0];  // 6 = 2 x (2 + 1)
  EXPECT_EQ(g.row_stride, 3);
  const TokenMerge mr = spatial_pool_merge(rows_nl);
  EXPECT_EQ(mr.representative, (std::vector<int64_t>{0, 1, 2, 7, 8, 9}));  // pooled token + the last row's newline
  const TokenLayout bad = make_synthetic_layout(SyntheticLayoutSpec{2, 1, 7, 2, false, 1, 7, 1});
  EXPECT_THROW(frame_grids(bad), std::invalid_argument);
}

TEST(ReductionRegistry, DefaultsLabelsSweepsAndErrors) {
  const auto none = expand_reductions(nullptr);
  ASSERT_EQ(none.size(), 1u);
  EXPECT_TRUE(none[0].is_none());
  const auto sweep = expand_reductions(nlohmann::json::parse(R"([{"name": "fastv", "r": [0.5, 0.75]}, {"name": "uniform_frames"}])"));
  ASSERT_EQ(sweep.size(), 3u);
  EXPECT_EQ(sweep[0].label(), "fastv(k=2,r=0.5)");
  EXPECT_EQ(sweep[1].stage(), Stage::InLlm);
  EXPECT_EQ(sweep[2].label(), "uniform_frames(ratio=0.5)");
  EXPECT_EQ(visual_budget(sweep[2].params, 24), 12);
  EXPECT_EQ(visual_budget(resolve_reduction({{"name", "spatial_pool"}, {"tokens", 7}}).params, 24), 7);
  EXPECT_EQ(visual_budget(resolve_reduction({{"name", "spatial_pool"}}).params, 24), -1);
  auto message = [](const nlohmann::json& e) {
    try {
      resolve_reduction(e);
    } catch (const std::invalid_argument& err) {
      return std::string(err.what());
    }
    return std::string();
  };
  EXPECT_NE(message({{"name", "fastx"}}).find("valid reductions: none, fastv, uniform_frames, spatial_pool"), std::string::npos);
  EXPECT_NE(message({{"name", "fastv"}, {"q", 1}}).find("no parameter 'q'"), std::string::npos);
  EXPECT_NE(message({{"name", "fastv"}, {"k", 0}}).find("'k'"), std::string::npos);
  EXPECT_NE(message({{"name", "uniform_frames"}, {"ratio", 0.5}, {"tokens", 3}}).find("alternatives"), std::string::npos);
  EXPECT_NE(message({{"name", "uniform_frames"}, {"ratio", 1.5}}).find("(0, 1]"), std::string::npos);
}

}  // namespace
}  // namespace pevlm::reduction
