// Frame index arithmetic of the LongVideoBench protocols (datasets/longvideobench/frame_sampling.h)
// against hand-computed values and against the real torch / numpy outputs in
// tests/data/lvb/golden_sampling.json (tests/data/lvb/make_golden.py).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "datasets/longvideobench/frame_sampling.h"

namespace lvb = pevlm::lvb;
using I = std::vector<int64_t>;

TEST(LvbSampling, OfficialStridedIndices) {
  // Real entry: 9.0 s at 30 fps: total = 270, n = min(256, 9) = 9, stride int(270 / 9) = 30.
  EXPECT_EQ(lvb::official_frame_indices(9.0, 30.0, 256), (I{0, 30, 60, 90, 120, 150, 180, 210, 240}));
  // 100 s at 25 fps, 16 frames: total 2500, stride int(156.25) = 156; last 2340 < 2500.
  I expect;
  for (int i = 0; i < 16; ++i) expect.push_back(156 * i);
  EXPECT_EQ(lvb::official_frame_indices(100.0, 25.0, 16), expect);
  // 29.97 fps, 10.5 s: total int(314.685) = 314, n = min(16, 10) = 10, stride int(31.4) = 31.
  EXPECT_EQ(lvb::official_frame_indices(10.5, 29.97, 16), (I{0, 31, 62, 93, 124, 155, 186, 217, 248, 279}));
  // duration < 1 s: the reference divides by zero; we name it.
  try {
    lvb::official_frame_indices(0.5, 30.0, 16);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("int(duration) = 0"), std::string::npos) << e.what();
  }
  EXPECT_THROW(lvb::official_frame_indices(9.0, 0.0, 16), std::invalid_argument);
  EXPECT_THROW(lvb::official_frame_indices(9.0, 30.0, 0), std::invalid_argument);
}

TEST(LvbSampling, LmmsComputeFrameTimestamps) {
  EXPECT_EQ(lvb::lmms_compute_frame_timestamps(9.0, 16), (std::vector<double>{0, 1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(lvb::lmms_compute_frame_timestamps(16.0, 16).size(), 16u);  // not > 16: int(16) seconds
  auto t = lvb::lmms_compute_frame_timestamps(100.0, 16);
  ASSERT_EQ(t.size(), 16u);
  EXPECT_DOUBLE_EQ(t[1], 6.25);
  EXPECT_DOUBLE_EQ(t[15], 93.75);
}

TEST(LvbSampling, QwenSmartNframes) {
  // 270 frames at 30 fps, 2 fps: 270 / 30 * 2 = 18.
  EXPECT_EQ(lvb::qwen_smart_nframes(270, 30.0, 2.0, 4, 768), 18);
  // 1 h at 30 fps: 7200 -> capped at FPS_MAX_FRAMES 768.
  EXPECT_EQ(lvb::qwen_smart_nframes(108000, 30.0, 2.0, 4, 768), 768);
  // 7 frames at 29.97 fps: 0.467 -> raised to min_frames 4.
  EXPECT_EQ(lvb::qwen_smart_nframes(7, 29.97, 2.0, 4, 768), 4);
  // 3 frames: max_frames = floor(min(768, 3) / 2) * 2 = 2.
  EXPECT_EQ(lvb::qwen_smart_nframes(3, 30.0, 2.0, 4, 768), 2);
  // 301 frames at 30 fps: 20.07 -> floor to even 20; 331 frames: 22.07 -> 22; 345: 23 -> 22.
  EXPECT_EQ(lvb::qwen_smart_nframes(301, 30.0, 2.0, 4, 768), 20);
  EXPECT_EQ(lvb::qwen_smart_nframes(345, 30.0, 2.0, 4, 768), 22);
  EXPECT_THROW(lvb::qwen_smart_nframes(1, 30.0, 2.0, 4, 768), std::invalid_argument);  // n = 0
  EXPECT_THROW(lvb::qwen_smart_nframes(0, 30.0, 2.0, 4, 768), std::invalid_argument);
  EXPECT_THROW(lvb::qwen_smart_nframes(100, 0.0, 2.0, 4, 768), std::invalid_argument);
}

TEST(LvbSampling, QwenFpsSamplingHandValues) {
  // 270 frames @ 30 fps: decoded round(linspace(0, 269, 18)) (step 15.82), then positions
  // floor(i * 17 / 31) for 32 frames — lmms-eval keeps the duplicates.
  auto r = lvb::qwen_fps_sampling(270, 30.0, 2.0, 4, 768, 32, false);
  EXPECT_EQ(r.decoded_frames, 18);
  EXPECT_DOUBLE_EQ(r.sample_fps, 2.0);
  EXPECT_EQ(r.decoded_positions, (I{0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11,
                                    12, 12, 13, 13, 14, 14, 15, 15, 16, 17}));
  EXPECT_EQ(r.indices, (I{0, 0, 16, 16, 32, 32, 47, 47, 63, 63, 79, 95, 95, 111, 111, 127, 127, 142,
                          142, 158, 158, 174, 190, 190, 206, 206, 222, 222, 237, 237, 253, 269}));
  // Deduplicated variant: the 18 decoded frames once each.
  auto d = lvb::qwen_fps_sampling(270, 30.0, 2.0, 4, 768, 32, true);
  EXPECT_EQ(d.indices, (I{0, 16, 32, 47, 63, 79, 95, 111, 127, 142, 158, 174, 190, 206, 222, 237, 253, 269}));
  // 1 h @ 30 fps: 768 decoded, 32 kept (values from torch / numpy, see make_golden.py).
  auto h = lvb::qwen_fps_sampling(108000, 30.0, 2.0, 4, 768, 32, false);
  EXPECT_EQ(h.decoded_frames, 768);
  EXPECT_EQ(h.indices, (I{0, 3379, 6900, 10420, 13799, 17319, 20839, 24360, 27739, 31259, 34779,
                          38300, 41679, 45199, 48719, 52239, 55619, 59139, 62659, 66179, 69559,
                          73079, 76599, 80119, 83499, 87019, 90539, 94059, 97438, 100959, 104479,
                          107999}));
  // max_num_frames = 0 keeps every decoded frame.
  EXPECT_EQ(lvb::qwen_fps_sampling(270, 30.0, 2.0, 4, 768, 0, false).indices.size(), 18u);
}

TEST(LvbSampling, MatchesTorchAndNumpyGolden) {
  const auto path = std::filesystem::path(PEVLM_SOURCE_DIR) / "tests/data/lvb/golden_sampling.json";
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  const auto golden = nlohmann::json::parse(in);
  int n_torch = 0, n_numpy = 0;
  for (const auto& c : golden.at("torch_linspace_round")) {
    const auto expect = c.at("indices").get<I>();
    EXPECT_EQ(lvb::torch_linspace_round(0, c.at("end"), c.at("steps")), expect)
        << "torch.linspace(0, " << c.at("end") << ", " << c.at("steps") << ").round()";
    ++n_torch;
  }
  for (const auto& c : golden.at("numpy_linspace_int")) {
    EXPECT_EQ(lvb::numpy_linspace_int(c.at("stop"), c.at("num")), c.at("indices").get<I>())
        << "np.linspace(0, " << c.at("stop") << ", " << c.at("num") << ", dtype=int)";
    ++n_numpy;
  }
  for (const auto& c : golden.at("numpy_linspace_round")) {
    EXPECT_EQ(lvb::numpy_linspace_round(c.at("stop"), c.at("num")), c.at("indices").get<I>())
        << "np.round(np.linspace(0, " << c.at("stop") << ", " << c.at("num") << "))";
    ++n_numpy;
  }
  EXPECT_GT(n_torch, 150);
  EXPECT_GT(n_numpy, 50);
}

TEST(LvbSampling, LinspaceHalfwayTiesRoundToEven) {
  // torch.linspace(0, 299, 3) = [0, 149.5, 299] -> round half to even -> 150 (149.5 -> 150);
  // linspace(0, 4, 9) = 0, .5, 1, 1.5, ... -> 0 0 1 2 2 2 3 4 4.
  EXPECT_EQ(lvb::torch_linspace_round(0, 299, 3), (I{0, 150, 299}));
  EXPECT_EQ(lvb::torch_linspace_round(0, 4, 9), (I{0, 0, 1, 2, 2, 2, 3, 4, 4}));
  EXPECT_EQ(lvb::numpy_linspace_int(17, 1), (I{0}));
  // The three samplers the families' references use differ exactly at halves and fractions:
  // linspace(0, 4, 9) truncated is 0 0 1 1 2 2 3 3 4; np.round keeps ties to even like torch.
  EXPECT_EQ(lvb::numpy_linspace_int(4, 9), (I{0, 0, 1, 1, 2, 2, 3, 3, 4}));
  EXPECT_EQ(lvb::numpy_linspace_round(4, 9), (I{0, 0, 1, 2, 2, 2, 3, 4, 4}));
}
