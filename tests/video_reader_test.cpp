// datasets/video reader: probe values, drawn content at decoded timestamps/indices, seeking vs
// sequential decoding, output order, resizing, range checks, containers without a frame count.
// Videos come from the synthetic generator, whose plan says what every second shows.
#include "datasets/synthetic/synthetic_lvb.h"
#include "datasets/video/video_reader.h"
#include "datasets/video/video_writer.h"
#include "tests/video_test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>

namespace pevlm::video {
namespace {

using synthetic::SyntheticVideoPlan;
using testing::max_channel_diff;

// BT.601 limited-range round trip (+-2) plus x264 CRF 20 on flat areas: measured max 5; the nearest two
// palette colours differ by > 40 in some channel, so 12 cannot accept a wrong colour.
constexpr int kColourTolerance = 12;
constexpr uint64_t kSeed = 7;

class VideoReaderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<testing::TempDir>("pevlm_video_reader_test");
    synthetic::make_synthetic_lvb(dir_->path.string(), 2, kSeed);
  }
  static void TearDownTestSuite() { dir_.reset(); }

  // Video 0: 15-s group (4 fps); video 1: 60-s group (2 fps).
  static SyntheticVideoPlan plan(int i) { return synthetic::plan_synthetic_video(kSeed, i); }
  static std::string path(const SyntheticVideoPlan& p) { return dir_->file("videos/" + p.video_id + ".mp4"); }

  // Frame k of `f` shows what the plan draws at `second`: background and shape-centre colours.
  static void expect_content(const VideoFrames& f, size_t k, const SyntheticVideoPlan& p, int second) {
    const auto pp = synthetic::probe_points(f.width, f.height);
    const auto& c = p.content.at(second);
    EXPECT_LE(max_channel_diff(f.pixel(k, pp.bg_x, pp.bg_y), synthetic::palette()[c.colour].rgb), kColourTolerance)
        << "background of frame " << k << " (second " << second << ")";
    EXPECT_LE(max_channel_diff(f.pixel(k, pp.shape_x, pp.shape_y), synthetic::foreground_for(c.colour)),
              kColourTolerance)
        << "shape centre of frame " << k << " (second " << second << ")";
  }

  static std::unique_ptr<testing::TempDir> dir_;
};
std::unique_ptr<testing::TempDir> VideoReaderTest::dir_;

TEST_F(VideoReaderTest, ProbeReportsWhatTheWriterWrote) {
  for (int i = 0; i < 2; ++i) {
    const SyntheticVideoPlan p = plan(i);
    const VideoInfo info = probe(path(p));
    EXPECT_EQ(info.path, path(p));
    EXPECT_DOUBLE_EQ(info.fps, p.fps);
    EXPECT_NEAR(info.duration_s, p.seconds, 1e-6);
    EXPECT_EQ(info.frame_count, std::llround(p.seconds * p.fps));
    EXPECT_FALSE(info.frame_count_estimated);  // mp4 has a sample table
    EXPECT_EQ(info.width, p.width);
    EXPECT_EQ(info.height, p.height);
    EXPECT_EQ(info.codec, default_video_encoder() == "libx264" ? "h264" : "mpeg4");
    EXPECT_TRUE(info.has_keyframe_index);
    EXPECT_NEAR(info.start_time_s, 0.0, 1e-9);
  }
}

TEST_F(VideoReaderTest, TimestampsReturnTheFramesDrawnForThatSecond) {
  const SyntheticVideoPlan p = plan(1);
  std::vector<double> ts;
  for (int s = p.seconds - 1; s >= 0; --s) ts.push_back(s + 0.5);  // descending: outputs keep caller order
  const VideoFrames f = decode_at_timestamps(path(p), ts);
  ASSERT_EQ(f.size(), ts.size());
  EXPECT_EQ(f.width, p.width);
  EXPECT_EQ(f.height, p.height);
  for (size_t k = 0; k < ts.size(); ++k) {
    const int second = static_cast<int>(ts[k]);
    expect_content(f, k, p, second);
    EXPECT_NEAR(f.pts_s[k], ts[k], 1e-9) << "2 fps: a frame starts exactly at s + 0.5";
  }
}

TEST_F(VideoReaderTest, TimestampBetweenFramesSelectsTheFrameOnScreen) {
  const SyntheticVideoPlan p = plan(0);  // 4 fps: frames at 0, 0.25, 0.5, ...
  const VideoFrames f = decode_at_timestamps(path(p), {0.0, 0.248, 0.25, 3.99, static_cast<double>(p.seconds)});
  EXPECT_NEAR(f.pts_s[0], 0.0, 1e-9);
  EXPECT_NEAR(f.pts_s[1], 0.0, 1e-9) << "0.248 s + 1 ms tolerance is still before the frame at 0.25 s";
  EXPECT_NEAR(f.pts_s[2], 0.25, 1e-9);
  EXPECT_NEAR(f.pts_s[3], 3.75, 1e-9);
  EXPECT_NEAR(f.pts_s[4], p.seconds - 0.25, 1e-9) << "t = duration shows the last frame";
  expect_content(f, 3, p, 3);
}

TEST_F(VideoReaderTest, FrameIndicesMapToIndexOverFps) {
  const SyntheticVideoPlan p = plan(0);
  const int64_t n = std::llround(p.seconds * p.fps);
  std::vector<int64_t> idx = {0, 1, 5, n / 2, n - 2, n - 1};
  const VideoFrames f = decode_frames(path(p), idx);
  ASSERT_EQ(f.size(), idx.size());
  for (size_t k = 0; k < idx.size(); ++k) {
    EXPECT_NEAR(f.pts_s[k], idx[k] / p.fps, 1e-9) << "index " << idx[k];
    expect_content(f, k, p, static_cast<int>(idx[k] / p.fps));
  }
}

// The seek path must return byte-identical frames to a plain sequential decode, for unsorted targets
// with duplicates, across GOP boundaries, with B-frames in the stream.
TEST_F(VideoReaderTest, SeekingMatchesSequentialDecoding) {
  const SyntheticVideoPlan p = plan(1);
  const int64_t n = std::llround(p.seconds * p.fps);
  std::vector<int64_t> idx;
  for (int64_t i = 0; i < n; i += 7) idx.push_back((i * 37) % n);  // scattered
  idx.push_back(idx[2]);                                              // duplicate
  idx.push_back(n - 1);
  DecodeOptions sequential;
  sequential.allow_seek = false;
  const VideoFrames a = decode_frames(path(p), idx, sequential);
  const VideoFrames b = decode_frames(path(p), idx);
  EXPECT_EQ(a.seeks, 0);
  EXPECT_GT(b.seeks, 0) << "targets 7 frames apart with GOP " << p.gop << " should trigger seeks";
  EXPECT_EQ(a.pts, b.pts);
  EXPECT_TRUE(a.rgb_NHWC == b.rgb_NHWC) << "seeked frames differ from sequentially decoded ones";
  EXPECT_EQ(b.pts[idx.size() - 2], b.pts[2]);
  EXPECT_LT(b.frames_decoded, a.frames_decoded);
}

TEST_F(VideoReaderTest, ResizesWhenAskedAndKeepsTheContent) {
  const SyntheticVideoPlan p = plan(0);
  DecodeOptions opt;
  opt.out_width = 64;
  opt.out_height = 48;
  const VideoFrames f = decode_at_timestamps(path(p), {2.5}, opt);
  EXPECT_EQ(f.width, 64);
  EXPECT_EQ(f.height, 48);
  EXPECT_EQ(f.rgb_NHWC.size(), 64u * 48u * 3u);
  expect_content(f, 0, p, 2);
  opt.out_height = 0;
  EXPECT_THROW(decode_at_timestamps(path(p), {2.5}, opt), VideoError);
}

TEST_F(VideoReaderTest, EmptyRequestGivesNoFrames) {
  const VideoFrames f = decode_frames(path(plan(0)), {});
  EXPECT_EQ(f.size(), 0u);
  EXPECT_TRUE(f.rgb_NHWC.empty());
}

TEST_F(VideoReaderTest, OutOfRangeTargetsNameTheFileAndTheValue) {
  const SyntheticVideoPlan p = plan(0);
  const int64_t n = std::llround(p.seconds * p.fps);
  for (int64_t bad : {int64_t{-1}, n}) {
    try {
      decode_frames(path(p), {0, bad});
      ADD_FAILURE() << "index " << bad << " accepted";
    } catch (const VideoError& e) {
      EXPECT_NE(std::string(e.what()).find(path(p)), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("frame index " + std::to_string(bad)), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(decode_at_timestamps(path(p), {-0.5}), VideoError);
  EXPECT_THROW(decode_at_timestamps(path(p), {p.seconds + 1.0}), VideoError);
  EXPECT_THROW(decode_at_timestamps(path(p), {std::nan("")}), VideoError);
}

// Matroska has no per-stream frame count: probe estimates round(duration * fps) and says so, and
// decoding by index still returns the right frames.
TEST_F(VideoReaderTest, MatroskaFrameCountIsEstimated) {
  if (!testing::have_ffmpeg_cli()) GTEST_SKIP() << "the ffmpeg command line is not installed";
  const SyntheticVideoPlan p = plan(0);
  const std::string mkv = dir_->file("remux.mkv");
  const std::string cmd = "ffmpeg -v error -y -i '" + path(p) + "' -c copy '" + mkv + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const VideoInfo info = probe(mkv);
  EXPECT_TRUE(info.frame_count_estimated);
  EXPECT_EQ(info.frame_count, std::llround(p.seconds * p.fps));
  EXPECT_NEAR(info.fps, p.fps, 1e-9);
  const std::vector<int64_t> idx = {4, 13, 2};
  const VideoFrames f = decode_frames(mkv, idx);
  for (size_t k = 0; k < f.size(); ++k) EXPECT_NEAR(f.pts_s[k], idx[k] / p.fps, 1e-3);
  expect_content(f, 1, p, static_cast<int>(13 / p.fps));
}

// The writer refuses what 4:2:0 video or its codecs cannot hold, naming the file.
TEST(VideoWriterTest, RejectsBadOptions) {
  testing::TempDir dir("pevlm_video_writer_test");
  VideoWriterOptions opt;
  opt.width = 63;
  opt.height = 48;
  EXPECT_THROW(VideoWriter(dir.file("a.mp4"), opt), VideoError);
  opt.width = 64;
  opt.fps = 0;
  EXPECT_THROW(VideoWriter(dir.file("a.mp4"), opt), VideoError);
  opt.fps = 2;
  opt.codec = "vp9";
  EXPECT_THROW(VideoWriter(dir.file("a.mp4"), opt), VideoError);
}

// The MPEG-4 part 2 fallback writes a readable file too.
TEST(VideoWriterTest, Mpeg4FallbackRoundTrips) {
  testing::TempDir dir("pevlm_video_writer_mpeg4");
  VideoWriterOptions opt;
  opt.width = 64;
  opt.height = 48;
  opt.fps = 5;
  opt.gop = 5;
  opt.codec = "mpeg4";
  std::vector<uint8_t> rgb(64 * 48 * 3);
  {
    VideoWriter w(dir.file("m.mp4"), opt);
    EXPECT_EQ(w.codec_name(), "mpeg4");
    for (int k = 0; k < 10; ++k) {
      std::fill(rgb.begin(), rgb.end(), static_cast<uint8_t>(20 * k + 10));
      w.write_rgb(rgb.data());
    }
    w.finish();
    EXPECT_EQ(w.frames_written(), 10);
  }
  const VideoInfo info = probe(dir.file("m.mp4"));
  EXPECT_EQ(info.codec, "mpeg4");
  EXPECT_EQ(info.frame_count, 10);
  const VideoFrames f = decode_frames(dir.file("m.mp4"), {7, 3});
  EXPECT_LE(max_channel_diff(f.pixel(0, 32, 24), std::array<int, 3>{150, 150, 150}), kColourTolerance);
  EXPECT_LE(max_channel_diff(f.pixel(1, 32, 24), std::array<int, 3>{70, 70, 70}), kColourTolerance);
}

}  // namespace
}  // namespace pevlm::video
