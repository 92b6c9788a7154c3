// VILA's frame sampling for LongVILA (models/longvila/frame_sampling.h) against a Python re-statement of
// NVlabs/VILA llava/utils/media.py `_load_video` run with numpy (tests/data/golden/vila/sampling.json,
// scripts/golden/make_vila_sampling_golden.py), plus hand-worked cases of both branches.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "models/longvila/frame_sampling.h"
#include "tests/error_test_util.h"

namespace lvl = pevlm::longvila;
using I = std::vector<int64_t>;

TEST(LongVilaSampling, EqualsVilaLoaderOnEveryGoldenCase) {
  std::ifstream in(PEVLM_SOURCE_DIR "/tests/data/golden/vila/sampling.json");
  ASSERT_TRUE(in) << "tests/data/golden/vila/sampling.json missing";
  const nlohmann::json g = nlohmann::json::parse(in);
  ASSERT_GE(g["cases"].size(), 800u);
  int fps_cases = 0, uniform_cases = 0, short_cases = 0;
  for (const auto& c : g["cases"]) {
    const auto got = lvl::vila_frame_indices(c["frame_count"], c["video_fps"], c["fps"], c["num_frames"]);
    EXPECT_EQ(got, c["indices"].get<I>()) << c.dump();
    (c["fps"].get<double>() > 0 ? fps_cases : uniform_cases) += 1;
    if (int64_t(got.size()) < c["num_frames"].get<int64_t>()) ++short_cases;
  }
  EXPECT_GT(fps_cases, 500);
  EXPECT_GT(uniform_cases, 100);
  EXPECT_GT(short_cases, 100);  // fps > 0 on clips shorter than num_frames / fps: fewer frames
}

// fps > 0: `np.arange(0, frame_count / video_fps, 1.0 / fps)[:num_frames]`, `int(t * video_fps)`.
TEST(LongVilaSampling, FpsSamplesFromTheStartAtThatRate) {
  // 60 s at 30 fps, fps 2: t = 0, 0.5, 1.0, ... -> every 15th frame; only the first 8 (the first 4 s).
  EXPECT_EQ(lvl::vila_frame_indices(1800, 30.0, 2.0, 8), (I{0, 15, 30, 45, 60, 75, 90, 105}));
  // 2 s at 30 fps, fps 1, 256 asked: arange(0, 2, 1) = [0, 1] -> 2 frames, not 256.
  EXPECT_EQ(lvl::vila_frame_indices(60, 30.0, 1.0, 256), (I{0, 30}));
  // 3 s at 30 fps, fps 3: 5 * (1/3) * 30 = 49.99999999999999 truncates to 49 (and 7 * ... to 69).
  EXPECT_EQ(lvl::vila_frame_indices(90, 30.0, 3.0, 16), (I{0, 10, 20, 30, 40, 49, 60, 69, 80}));
  // fps above the video's: indices repeat, as VILA's returned list does.
  EXPECT_EQ(lvl::vila_frame_indices(3, 1.0, 2.0, 8), (I{0, 0, 1, 1, 2, 2}));
  // 20 frames at 12 fps, fps 3: arange(0, 1.6666666666666667, 0.3333333333333333) has 6 values; the
  // last, 5 * 0.333... * 12 = 20.0, is past the last frame: VILA's read fails and it skips it.
  EXPECT_EQ(lvl::vila_frame_indices(20, 12.0, 3.0, 16), (I{0, 4, 8, 12, 16}));
}

// fps <= 0 (`if fps > 0` fails): np.round(np.linspace(0, frame_count - 1, num_frames)).astype(int).
TEST(LongVilaSampling, ZeroFpsIsUniformOverTheWholeVideoWithRoundHalfToEven) {
  EXPECT_EQ(lvl::vila_frame_indices(1800, 30.0, 0.0, 4), (I{0, 600, 1199, 1799}));  // 599.67 -> 600, 1199.33 -> 1199
  EXPECT_EQ(lvl::vila_frame_indices(5, 30.0, 0.0, 9), (I{0, 0, 1, 2, 2, 2, 3, 4, 4}));  // 0.5 -> 0, 2.5 -> 2, 3.5 -> 4
  EXPECT_EQ(lvl::vila_frame_indices(5, 30.0, -1.0, 3), (I{0, 2, 4}));
  EXPECT_EQ(lvl::vila_frame_indices(100, 0.0, 0.0, 2), (I{0, 99}));  // no frame rate needed
}

TEST(LongVilaSampling, ImpossibleInputsAreErrorsNamingTheQuantity) {
  using pevlm::testing::expect_error;
  expect_error([] { lvl::vila_frame_indices(100, 0.0, 2.0, 8); }, {"config fps", "no frame rate"});
  expect_error([] { lvl::vila_frame_indices(0, 30.0, 0.0, 8); }, {"no frames"});
  expect_error([] { lvl::vila_frame_indices(10, 30.0, 0.0, 0); }, {"num_video_frames", ">= 1"});
}
