// Qwen2.5-VL preprocessing (models/qwen2_5_vl/preprocess.h) against hand-computed values and the
// transformers 4.50 golden tensors (../shared/golden/qwen2_5_vl_tiny).
#include "models/qwen2_5_vl/preprocess.h"

#include <gtest/gtest.h>

#include "tests/qwen_vision_golden.h"

namespace pevlm::qwen2_5_vl {
namespace {

using testing::expect_close;
using testing::golden;

// The golden processor: Qwen2VLImageProcessor(min_pixels=3136, max_pixels=50176), CLIP mean/std.
PreprocessOptions golden_options() {
  PreprocessOptions o;
  o.config.min_pixels = 3136;
  o.config.max_pixels = 50176;
  return o;
}

TEST(QwenSmartResize, HandComputedCases) {
  // Already multiples of 28 inside [min, max]: unchanged.
  EXPECT_EQ(smart_resize(84, 112, 28, 3136, 50176), (ResizeTarget{84, 112}));
  // Golden resize test: 90/28 = 3.21 -> 84, 130/28 = 4.64 -> 140.
  EXPECT_EQ(smart_resize(90, 130, 28, 3136, 50176), (ResizeTarget{84, 140}));
  // Python round is half to even: 42/28 = 1.5 -> 2 (56), 70/28 = 2.5 -> 2 (56).
  EXPECT_EQ(smart_resize(42, 70, 28, 56 * 56, 1 << 30), (ResizeTarget{56, 56}));
  // Over max: 1080x1920 at max 448*448: beta = sqrt(1080*1920/200704) = 1440/448 = 3.2143;
  // floor(1080/beta/28) = floor(12.0000000002) = 12 -> 336, floor(1920/beta/28) = 21 -> 588
  // (Python gives the same).
  EXPECT_EQ(smart_resize(1080, 1920, 28, 3136, 448 * 448), (ResizeTarget{336, 588}));
  // Under min: 20x20 -> round gives 28x28 = 784 < 3136: beta = sqrt(3136/400) = 2.8,
  // ceil(20*2.8/28)*28 = 56.
  EXPECT_EQ(smart_resize(20, 20, 28, 3136, 50176), (ResizeTarget{56, 56}));
}

TEST(QwenSmartResize, RejectsBadInput) {
  EXPECT_THROW(smart_resize(0, 10, 28, 3136, 50176), std::invalid_argument);
  EXPECT_THROW(smart_resize(28, 28 * 201, 28, 3136, 1 << 30), std::invalid_argument);
}

// Patch order by hand: each pixel encodes (frame, channel, y, x); row r of pixel_values must be
// patch (t, by, bx, iy, ix) in that nesting order and column (c, dt, py, px).
TEST(QwenPreprocess, FlattenPatchesOrderHandComputed) {
  const int64_t T = 4, C = 3, H = 56, W = 84, p = 14, tp = 2, m = 2;
  at::Tensor x = at::arange(T * C * H * W, at::kFloat).reshape({T, C, H, W});
  at::Tensor out = flatten_patches(x, p, tp, m);
  const int64_t gh = H / p, gw = W / p;
  ASSERT_EQ(out.sizes(), (at::IntArrayRef{2 * gh * gw, C * tp * p * p}));
  auto acc = out.accessor<float, 2>();
  for (int64_t t = 0; t < 2; ++t)
    for (int64_t by = 0; by < gh / m; ++by)
      for (int64_t bx = 0; bx < gw / m; ++bx)
        for (int64_t iy = 0; iy < m; ++iy)
          for (int64_t ix = 0; ix < m; ++ix) {
            const int64_t row = (((t * (gh / m) + by) * (gw / m) + bx) * m + iy) * m + ix;
            const int64_t y0 = (by * m + iy) * p, x0 = (bx * m + ix) * p;
            for (int64_t c = 0; c < C; ++c)
              for (int64_t dt = 0; dt < tp; ++dt)
                for (int64_t py : {int64_t(0), p - 1})
                  for (int64_t px : {int64_t(0), int64_t(5)}) {
                    const int64_t col = ((c * tp + dt) * p + py) * p + px;
                    const int64_t frame = t * tp + dt;
                    const float want = float(((frame * C + c) * H + y0 + py) * W + x0 + px);
                    ASSERT_EQ(acc[row][col], want) << "row " << row << " col " << col;
                  }
          }
}

TEST(QwenPreprocess, OddFrameCountRepeatsLastFrame) {
  at::Tensor frames = at::randint(0, 256, {3, 56, 112, 3}, at::kByte);
  VideoPatches odd = preprocess_video(frames, golden_options());
  at::Tensor four = at::cat({frames, frames.slice(0, 2, 3)}, 0);
  VideoPatches even = preprocess_video(four, golden_options());
  EXPECT_EQ(odd.grid, (GridTHW{2, 4, 8}));
  EXPECT_TRUE(at::equal(odd.pixel_values, even.pixel_values));
}

TEST(QwenPreprocess, RejectsBadFrames) {
  EXPECT_THROW(preprocess_video(at::zeros({2, 28, 28, 3}, at::kFloat), golden_options()), std::invalid_argument);
  EXPECT_THROW(preprocess_video(at::zeros({2, 28, 28}, at::kByte), golden_options()), std::invalid_argument);
  EXPECT_THROW(preprocess_video(at::zeros({2, 28, 28, 4}, at::kByte), golden_options()), std::invalid_argument);
  PreprocessOptions bad = golden_options();
  bad.size = {30, 28};  // not a multiple of 28
  EXPECT_THROW(preprocess_video(at::zeros({2, 28, 28, 3}, at::kByte), bad), std::invalid_argument);
}

// No resize (84x112 is already valid): the arithmetic is transformers' float32 numpy arithmetic,
// so the result is bit-identical (tolerance 0).
TEST(QwenPreprocessGolden, RawFramesMatchProcessorExactly) {
  PEVLM_REQUIRE_GOLDEN();
  VideoPatches out = preprocess_video(golden("raw_frames"), golden_options());
  at::Tensor grid = golden("video_grid_thw");
  EXPECT_EQ(out.grid, (GridTHW{grid[0][0].item<int64_t>(), grid[0][1].item<int64_t>(), grid[0][2].item<int64_t>()}));
  expect_close(out.pixel_values, golden("pixel_values_videos"), 0.0, 0.0, "pixel_values_videos");
}

// Resize 90x130 -> 84x140 with the PIL method: libtorch's uint8 kernel is a port of Pillow's
// fixed-point resampler, so at most one intensity level may differ on rare pixels:
// max-abs <= 1/255/min(std) = 0.0150 after normalisation (tolerance 0.0151), fewer than 0.1% of
// values differing (measured: 2.8e-5).
TEST(QwenPreprocessGolden, PilResizeMatchesProcessorWithinOneLevel) {
  PEVLM_REQUIRE_GOLDEN();
  PreprocessOptions o = golden_options();
  o.resize_method = ResizeMethod::PilUint8;
  VideoPatches out = preprocess_video(golden("resize_raw_frames"), o);
  EXPECT_EQ(out.grid, (GridTHW{2, 6, 10}));
  EXPECT_EQ(out.size, (ResizeTarget{84, 140}));
  at::Tensor ref = golden("resize_pixel_values_videos");
  expect_close(out.pixel_values, ref, 0.0151, 1e-7, "resize_pixel_values_videos (PilUint8)");
  const double frac_diff = (out.pixel_values - ref).abs().gt(1e-6).to(at::kDouble).mean().item<double>();
  EXPECT_LT(frac_diff, 1e-3) << "fraction of values off by one level";
}

// The torchvision (qwen-vl-utils) method against the same PIL golden. The golden frames wrap
// around (x*2 + y + 31f mod 256): at those hard edges PIL clips the cubic overshoot after each
// separable pass and the float path only once, so up to 16 levels differ there (measured:
// max-abs 0.2336 = 16 levels, NMSE 7.3e-5, 20% of values off by >= 1 level).
// Tolerances: 17 levels = 17/255/0.2613 = 0.2552, NMSE 1e-4.
TEST(QwenPreprocessGolden, TorchvisionResizeNearProcessorOnHardEdges) {
  PEVLM_REQUIRE_GOLDEN();
  VideoPatches out = preprocess_video(golden("resize_raw_frames"), golden_options());
  at::Tensor ref = golden("resize_pixel_values_videos");
  expect_close(out.pixel_values, ref, 0.2552, 1e-4, "resize_pixel_values_videos (TorchvisionFloat)");
}

// On smooth content (no overshoot to clip) the two methods agree within one level (rounding of
// PIL's fixed point vs float), both when downscaling and when upscaling.
TEST(QwenPreprocess, ResizeMethodsAgreeOnSmoothFrames) {
  at::Tensor y = at::arange(90, at::kFloat).reshape({1, 90, 1, 1});
  at::Tensor x = at::arange(130, at::kFloat).reshape({1, 1, 130, 1});
  at::Tensor c = at::arange(3, at::kFloat).reshape({1, 1, 1, 3});
  at::Tensor f = at::arange(2, at::kFloat).reshape({2, 1, 1, 1});
  at::Tensor smooth = 128 + 60 * at::sin(x / 11 + c + f) * at::cos(y / 9 - c);
  at::Tensor frames = smooth.round().to(at::kByte);
  for (auto [h, w] : {std::pair<int64_t, int64_t>{56, 84}, {168, 196}}) {
    at::Tensor a = resize_frames_bicubic_aa(frames, h, w, ResizeMethod::TorchvisionFloat);
    at::Tensor b = resize_frames_bicubic_aa(frames, h, w, ResizeMethod::PilUint8);
    ASSERT_EQ(a.sizes(), (at::IntArrayRef{2, h, w, 3}));
    EXPECT_LE(testing::max_abs(a, b), 1.0) << h << "x" << w;
  }
}

}  // namespace
}  // namespace pevlm::qwen2_5_vl
