// Qwen3-VL timestamps, prompt ids, TokenLayout and M-RoPE positions against the transformers golden
// (tests/data/golden/qwen3_vl_tiny: Qwen3VLProcessor's placeholder text tokenised by the tiny
// tokenizer, get_rope_index).
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <stdexcept>

#include "models/qwen3_vl/prompt.h"
#include "models/qwen3_vl/rope_index.h"
#include "qwen3_vl_golden.h"

namespace pevlm::qwen3_vl {
namespace {

using testing::golden;
using testing::golden_ids;

TEST(Qwen3VLTimestamps, MeanOfEachPatchAsTheProcessor) {
  std::vector<double> t = patch_timestamps(golden_ids("frame_indices"), 4.0, 2);
  at::Tensor expected = golden("timestamps");
  ASSERT_EQ(int64_t(t.size()), expected.numel());
  for (size_t i = 0; i < t.size(); ++i) EXPECT_EQ(t[i], expected[int64_t(i)].item<double>());
  EXPECT_EQ(timestamp_text(0.25), "<0.2 seconds>");  // Python's f"{0.25:.1f}": half to even
  EXPECT_EQ(timestamp_text(2.75), "<2.8 seconds>");
  EXPECT_EQ(timestamp_text(1.625), "<1.6 seconds>");
  EXPECT_EQ(timestamp_text(0.15), "<0.1 seconds>");  // 0.15 is 0.1499999... in binary
  EXPECT_THROW(patch_timestamps({}, 2.0, 2), std::invalid_argument);
  EXPECT_THROW(patch_timestamps({0, 1}, 0.0, 2), std::invalid_argument);
}

BuiltPrompt golden_prompt() {
  const auto tok = tokenizer::Tokenizer::load(testing::golden_dir() + "/tokenizer.json");
  TimedVideo video{{3, 2, 3}, patch_timestamps(golden_ids("frame_indices"), 4.0, 2)};
  return build_video_prompt(tok, {565, 566, 569}, "You are a helpful assistant.", "", video, "What is shown in the video?");
}

TEST(Qwen3VLPrompt, IdsPositionsAndSpansMatchTransformers) {
  BuiltPrompt p = golden_prompt();
  EXPECT_EQ(p.ids, golden_ids("input_ids"));
  EXPECT_EQ(p.layout.positions.ids, golden_ids("position_ids"));
  EXPECT_EQ(p.rope_delta, golden_ids("rope_deltas")[0]);
  EXPECT_EQ(p.video_tokens, 18);
  std::vector<int64_t> spans = golden_ids("patch_spans");  // [3, 2]: begin, end of each patch
  ASSERT_EQ(p.layout.num_frames(), 3);
  for (int64_t f = 0; f < 3; ++f) {
    EXPECT_EQ(p.layout.frame_start(f), spans[size_t(2 * f)]);
    EXPECT_EQ(p.layout.frame_start(f + 1), spans[size_t(2 * f + 1)]);
  }
  EXPECT_EQ(p.layout.question_begin(), spans.back());
}

TEST(Qwen3VLRopeIndex, TemporalIndexIsZeroInsideEveryPatch) {
  // text(2) + patch of 2x2 + text(1) + patch of 2x2: t stays at the patch start, h/w add row/col.
  std::vector<int64_t> ids{1, 2, 9, 9, 9, 9, 3, 9, 9, 9, 9, 4};
  RopeIndex r = rope_index(ids, 9, {{2, 2, 2}});
  const std::vector<int64_t> t{0, 1, 2, 2, 2, 2, 4, 5, 5, 5, 5, 7};
  const std::vector<int64_t> h{0, 1, 2, 2, 3, 3, 4, 5, 5, 6, 6, 7};
  const std::vector<int64_t> w{0, 1, 2, 3, 2, 3, 4, 5, 6, 5, 6, 7};
  for (int64_t i = 0; i < 12; ++i) {
    EXPECT_EQ(r.positions.at(0, i), t[size_t(i)]) << i;
    EXPECT_EQ(r.positions.at(1, i), h[size_t(i)]) << i;
    EXPECT_EQ(r.positions.at(2, i), w[size_t(i)]) << i;
  }
  EXPECT_EQ(r.rope_delta, 8 - 12);
}

TEST(Qwen3VLRopeIndex, RunsAndPatchesMustAgree) {
  EXPECT_THROW(rope_index({9, 9, 9, 9, 9, 9, 9, 9}, 9, {{2, 2, 2}}), std::invalid_argument);  // one run for 2 patches
  EXPECT_THROW(rope_index({9, 9, 9, 1}, 9, {{1, 2, 2}}), std::invalid_argument);             // short run
  EXPECT_THROW(rope_index({1, 2}, 9, {{1, 2, 2}}), std::invalid_argument);                   // patch left over
}

}  // namespace
}  // namespace pevlm::qwen3_vl
