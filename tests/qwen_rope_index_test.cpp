// Qwen2.5-VL M-RoPE position ids (models/qwen2_5_vl/rope_index.h) against hand-computed layouts
// and transformers 4.50 get_rope_index output (../shared/golden/qwen2_5_vl_tiny).
#include "models/qwen2_5_vl/rope_index.h"

#include <gtest/gtest.h>

#include "tests/qwen_vision_golden.h"

#include <filesystem>

namespace pevlm::qwen2_5_vl {
namespace {

using testing::golden;

std::vector<int64_t> row(const PositionIds& p, int axis) {
  return std::vector<int64_t>(p.ids.begin() + axis * p.length, p.ids.begin() + (axis + 1) * p.length);
}

// 3 text tokens, one video of grid (t=2, h=4, w=6) -> 2 x (2x3) = 12 tokens, 2 text tokens.
// Video starts at 3: t = 3 (k=0), 5 (k=1: 1 * 1.0 * 2); h = 3 + row; w = 3 + col.
// Text after the video continues at max = 5, + 1 -> 6, 7. rope_delta = 8 - 17 = -9.
TEST(QwenRopeIndex, SmallVideoLayoutHandComputed) {
  const int64_t V = 99;
  std::vector<int64_t> ids{1, 2, 3};
  ids.insert(ids.end(), 12, V);
  ids.insert(ids.end(), {4, 5});
  RopeIndex r = mrope_index(ids, V, {{{2, 4, 6}, 1.0}}, RopeIndexOptions{});
  EXPECT_EQ(row(r.positions, 0), (std::vector<int64_t>{0, 1, 2, 3, 3, 3, 3, 3, 3, 5, 5, 5, 5, 5, 5, 6, 7}));
  EXPECT_EQ(row(r.positions, 1), (std::vector<int64_t>{0, 1, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4, 6, 7}));
  EXPECT_EQ(row(r.positions, 2), (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 3, 4, 5, 3, 4, 5, 3, 4, 5, 6, 7}));
  EXPECT_EQ(r.rope_delta, -9);

  // The span helper gives the same ids.
  RopeIndex s = mrope_index_from_spans({{3, true, {{2, 4, 6}, 1.0}}, {2, false, {}}}, RopeIndexOptions{});
  EXPECT_EQ(s.positions, r.positions);
  EXPECT_EQ(s.rope_delta, r.rope_delta);
}

// transformers 5.x continues text after the video at start + max(h, w) / merge = 3 + 3 = 6 (here
// equal to max + 1); with gt = 3 (t ids up to 7) they differ: 5.x gives 6, 4.50 gives 8.
TEST(QwenRopeIndex, TextAfterVideoRuleIsExplicit) {
  std::vector<RopeSpan> spans{{3, true, {{3, 4, 6}, 1.0}}, {1, false, {}}};
  RopeIndexOptions o;
  EXPECT_EQ(mrope_index_from_spans(spans, o).positions.at(0, 3 + 18), 8);
  o.text_after_video = TextAfterVideo::SpatialExtent;
  EXPECT_EQ(mrope_index_from_spans(spans, o).positions.at(0, 3 + 18), 6);
}

// Fractional second_per_grid_t: 4.50 floors the product (0.75 * 2 * k = 0, 1.5, 3 -> 0, 1, 3),
// the truncating variant drops the fraction first (0.75 -> 0: all 0; 1.5 -> 1: 0, 2, 4).
TEST(QwenRopeIndex, FractionalSecondPerGridRules) {
  RopeIndexOptions floor_rule, trunc_rule;
  trunc_rule.temporal_rule = TemporalRule::TruncateSecondPerGrid;
  for (int64_t k = 0; k < 3; ++k) {
    EXPECT_EQ(mrope_temporal_id(k, 0.75, floor_rule), (std::vector<int64_t>{0, 1, 3})[k]);
    EXPECT_EQ(mrope_temporal_id(k, 0.75, trunc_rule), 0);
    EXPECT_EQ(mrope_temporal_id(k, 1.5, floor_rule), 3 * k);
    EXPECT_EQ(mrope_temporal_id(k, 1.5, trunc_rule), 2 * k);
  }
}

// Two videos, each behind its own text; the second starts after max + 1 of the first.
TEST(QwenRopeIndex, TwoVideos) {
  const int64_t V = 7;
  std::vector<int64_t> ids{1, V, V, 2, V, V, V, V, 3};  // video 0: (1,2,4)->2 tokens; video 1: (2,2,4)->4
  RopeIndex r = mrope_index(ids, V, {{{1, 2, 4}, 1.0}, {{2, 2, 4}, 1.0}}, RopeIndexOptions{});
  // text 0; video at 1: t 1,1 h 1,1 w 1,2 -> max 2; text 3; video at 4: t 4,4,6,6 h 4 w 4,5,4,5; text 7.
  EXPECT_EQ(row(r.positions, 0), (std::vector<int64_t>{0, 1, 1, 3, 4, 4, 6, 6, 7}));
  EXPECT_EQ(row(r.positions, 1), (std::vector<int64_t>{0, 1, 1, 3, 4, 4, 4, 4, 7}));
  EXPECT_EQ(row(r.positions, 2), (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 4, 5, 7}));
  EXPECT_EQ(r.rope_delta, 8 - 9);
}

TEST(QwenRopeIndex, RejectsMismatchedTokenCounts) {
  const int64_t V = 7;
  EXPECT_THROW(mrope_index({1, V, V, 2}, V, {{{1, 4, 4}, 1.0}}, {}), std::invalid_argument);  // needs 4
  EXPECT_THROW(mrope_index({1, V, V, 2}, V, {}, {}), std::invalid_argument);                 // no grid
  EXPECT_THROW(mrope_index({1, 2}, V, {{{1, 2, 4}, 1.0}}, {}), std::invalid_argument);        // grid left
  EXPECT_THROW(mrope_index({1, V}, V, {{{1, 3, 4}, 1.0}}, {}), std::invalid_argument);        // h odd
}

// The golden prompt: [3, 17, 42, 5, 150] + 36 video tokens (grid 3x6x8) + 7 text tokens.
TEST(QwenRopeIndexGolden, MatchesTransformersGetRopeIndex) {
  PEVLM_REQUIRE_GOLDEN();
  at::Tensor ids_t = golden("input_ids");
  std::vector<int64_t> ids(ids_t.data_ptr<int64_t>(), ids_t.data_ptr<int64_t>() + ids_t.numel());
  const double spg = golden("second_per_grid_ts")[0].item<double>();
  RopeIndex r = mrope_index(ids, 153, {{{3, 6, 8}, spg}}, RopeIndexOptions{});
  at::Tensor pos = golden("position_ids");
  ASSERT_EQ(pos.size(1), r.positions.length);
  for (int a = 0; a < 3; ++a) {
    for (int64_t i = 0; i < r.positions.length; ++i) {
      ASSERT_EQ(r.positions.at(a, i), pos[a][i].item<int64_t>()) << "axis " << a << " token " << i;
    }
  }
  EXPECT_EQ(r.rope_delta, golden("rope_deltas")[0].item<int64_t>());

  // Prompt + generated ids: decode positions are cache position + rope_delta (README).
  at::Tensor full = golden("full_sequence_ids");
  std::vector<int64_t> full_ids(full.data_ptr<int64_t>(), full.data_ptr<int64_t>() + full.numel());
  RopeIndex rf = mrope_index(full_ids, 153, {{{3, 6, 8}, spg}}, RopeIndexOptions{});
  at::Tensor fpos = golden("full_sequence_position_ids");
  for (int64_t i = 0; i < rf.positions.length; ++i) {
    ASSERT_EQ(rf.positions.at(0, i), fpos[0][i].item<int64_t>()) << "token " << i;
  }
  for (int64_t i = ids_t.numel(); i < full.numel(); ++i) EXPECT_EQ(rf.positions.at(1, i), i + r.rope_delta);
}

// The transformers 5.x fixture (tests/data/golden, scripts/golden/make_qwen_golden.py): 5.x continues the
// text after a video at start + max(h, w) / merge, which is TextAfterVideo::SpatialExtent.
TEST(QwenRopeIndexGolden, MatchesTransformers5xWithSpatialExtentRule) {
  const std::filesystem::path file = std::filesystem::path(PEVLM_SOURCE_DIR) / "tests/data/golden/qwen2_5_vl_tiny/golden.safetensors";
  if (!std::filesystem::exists(file)) GTEST_SKIP() << "transformers 5.x fixture absent: " << file;
  const auto st = safetensors::SafetensorsFile::open(file.string());
  auto get = [&](const char* name) { return safetensors::to_tensor_copy(st.get(name)); };
  at::Tensor ids_t = get("input_ids").to(at::kLong).contiguous();
  std::vector<int64_t> ids(ids_t.data_ptr<int64_t>(), ids_t.data_ptr<int64_t>() + ids_t.numel());
  RopeIndexOptions opts;
  opts.text_after_video = TextAfterVideo::SpatialExtent;
  const RopeIndex r = mrope_index(ids, 153, {{{3, 6, 8}, get("second_per_grid_ts")[0].item<double>()}}, opts);
  at::Tensor pos = get("position_ids").to(at::kLong);
  for (int a = 0; a < 3; ++a)
    for (int64_t i = 0; i < r.positions.length; ++i)
      ASSERT_EQ(r.positions.at(a, i), pos[a][i].item<int64_t>()) << "axis " << a << " token " << i;
  EXPECT_EQ(r.rope_delta, get("rope_deltas")[0].item<int64_t>());
  // The default (4.50) rule differs exactly there: the question starts one position later.
  const RopeIndex r450 = mrope_index(ids, 153, {{{3, 6, 8}, 1.0}}, RopeIndexOptions{});
  EXPECT_EQ(r450.positions.at(0, 41), r.positions.at(0, 41) + 1);
}

}  // namespace
}  // namespace pevlm::qwen2_5_vl
