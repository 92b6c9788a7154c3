// Qwen3-VL sampling (qwen-vl-utils 0.0.14 smart_nframes + round(torch.linspace)), per-frame pixel
// budgets (fetch_video + smart_resize, factor 32) and pixel values against the transformers golden.
// The sampling expectations were computed by qwen-vl-utils' formulas in Python (torch.linspace float32).
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <stdexcept>

#include "models/qwen3_vl/preprocess.h"
#include "qwen3_vl_golden.h"

namespace pevlm::qwen3_vl {
namespace {

using testing::golden;

void expect_indices(int64_t total, double fps, const SamplingOptions& o, int64_t n, std::vector<int64_t> head,
                    std::vector<int64_t> tail) {
  std::vector<int64_t> idx = sample_frame_indices(total, fps, o);
  ASSERT_EQ(int64_t(idx.size()), n) << total << " @ " << fps;
  for (size_t i = 0; i < head.size(); ++i) EXPECT_EQ(idx[i], head[i]) << total << " head " << i;
  for (size_t i = 0; i < tail.size(); ++i) EXPECT_EQ(idx[idx.size() - tail.size() + i], tail[i]) << total << " tail " << i;
}

TEST(Qwen3VLSampling, QwenVlUtilsFrameCountsAndIndices) {
  SamplingOptions o;
  expect_indices(300, 30.0, o, 20, {0, 16, 31, 47, 63, 79}, {268, 283, 299});  // 10 s at fps 2
  expect_indices(10, 30.0, o, 4, {0, 3, 6, 9}, {});                            // min 4 frames
  expect_indices(3, 30.0, o, 2, {0, 2}, {});                                   // at most the (even) total
  expect_indices(108000, 30.0, o, 768, {0, 141, 282, 422, 563, 704}, {107717, 107858, 107999});  // max 768
  expect_indices(5, 1.0, o, 4, {0, 1, 3, 4}, {});                              // linspace rounding
  expect_indices(1000, 29.97, o, 66, {0, 15, 31, 46, 61, 77}, {968, 984, 999});
  SamplingOptions lmms;
  lmms.max_frames = 32;  // lmms-eval's qwen3_vl wrapper default
  expect_indices(1000, 29.97, lmms, 32, {0, 32, 64, 97, 129, 161}, {935, 967, 999});
  EXPECT_THROW(sample_frame_count(1, 30.0), std::invalid_argument);
  EXPECT_THROW(sample_frame_count(100, 0.0), std::invalid_argument);
}

TEST(Qwen3VLSampling, PerFramePixelBudgets) {
  EXPECT_EQ(video_resize_target(1080, 1920, 768), (FrameSize{384, 736}));  // total_pixels / n * 2 caps it
  EXPECT_EQ(video_resize_target(1080, 1920, 32), (FrameSize{640, 1152}));  // 768 tokens per frame cap
  EXPECT_EQ(video_resize_target(360, 640, 64), (FrameSize{352, 640}));
  EXPECT_EQ(video_resize_target(70, 100, 5), (FrameSize{320, 448}));       // raised to 128 tokens
  EXPECT_EQ(video_resize_target(1080, 1920, 32, {}, 200000), (FrameSize{320, 576}));  // a given max_pixels lowers it
  EXPECT_EQ(video_resize_target(1080, 1920, 32, {}, 5e6), (FrameSize{640, 1152}));    // but never raises it
  SamplingOptions tiny;  // the golden's budgets (4..16 tokens per frame)
  tiny.min_tokens = 4;
  tiny.max_tokens = 16;
  EXPECT_EQ(video_resize_target(70, 100, 5, tiny), (FrameSize{64, 96}));
}

TEST(Qwen3VLPreprocess, NormaliseAndPatchifyMatchTransformers) {
  VideoPixels p = patchify_frames(golden("resized_frames"));
  EXPECT_EQ(p.grid, (Grid{3, 4, 6}));  // 5 frames: the last one repeated
  testing::expect_close(p.pixel_values, golden("pixel_values_videos"), "pixel_values_videos");
}

TEST(Qwen3VLPreprocess, PilResizeWithinOneLevel) {
  VideoPixels p = preprocess_frames(golden("raw_frames"), {64, 96}, /*pil=*/true);
  // libtorch's port of PIL's resampler differs from Pillow by rare one-level steps (2 / 255 after
  // normalising by std 0.5); see models/vision_common/frames.h, ResizeMethod::PilUint8.
  testing::expect_close(p.pixel_values, golden("pixel_values_videos"), "resized pixel values", 2.0 / 255 + 1e-6);
}

TEST(Qwen3VLPreprocess, BadFramesAreClearErrors) {
  EXPECT_THROW(patchify_frames(at::zeros({2, 60, 96, 3}, at::kByte)), std::invalid_argument);
  EXPECT_THROW(patchify_frames(at::zeros({2, 64, 96, 3}, at::kFloat)), std::invalid_argument);
}

}  // namespace
}  // namespace pevlm::qwen3_vl
