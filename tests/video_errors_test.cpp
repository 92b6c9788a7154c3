// Bad inputs to the video reader: every case must raise VideoError naming the file and the problem,
// from probe() and from decoding, without crashing or hanging.
#include "datasets/synthetic/synthetic_lvb.h"
#include "datasets/video/video_reader.h"
#include "tests/video_test_util.h"

#include <gtest/gtest.h>

#include <iostream>
#include <memory>

namespace pevlm::video {
namespace {

class VideoErrorsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<testing::TempDir>("pevlm_video_errors_test");
    // One 15-s-group video (4 fps, 320x180) as the healthy original that the cases damage.
    synthetic::make_synthetic_lvb(dir_->path.string(), 1, 3);
    good_ = dir_->file("videos/" + synthetic::plan_synthetic_video(3, 0).video_id + ".mp4");
  }
  static void TearDownTestSuite() { dir_.reset(); }

  // Both entry points fail with VideoError whose message holds the path and `fragment`.
  static void expect_error(const std::string& path, const std::string& fragment, bool probe_fails = true) {
    auto check = [&](const char* what, auto&& fn) {
      try {
        fn();
        ADD_FAILURE() << what << " accepted " << path;
      } catch (const VideoError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find(path), std::string::npos) << what << ": " << msg;
        EXPECT_NE(msg.find(fragment), std::string::npos) << what << ": " << msg;
        EXPECT_EQ(e.path(), path);
        std::cout << "  [" << what << "] " << msg << "\n";  // the message users see, for review
      }
    };
    if (probe_fails) check("probe", [&] { probe(path); });
    check("decode_at_timestamps", [&] {
      std::vector<double> all;
      for (int k = 0; k < 32; ++k) all.push_back(k * 0.25);  // every frame of the first 8 s (shortest video)
      decode_at_timestamps(path, all);
    });
  }

  static std::unique_ptr<testing::TempDir> dir_;
  static std::string good_;
};
std::unique_ptr<testing::TempDir> VideoErrorsTest::dir_;
std::string VideoErrorsTest::good_;

TEST_F(VideoErrorsTest, MissingFile) { expect_error(dir_->file("nope.mp4"), "does not exist"); }

TEST_F(VideoErrorsTest, ZeroLengthFile) {
  const std::string p = dir_->file("empty.mp4");
  testing::write_bytes(p, {});
  expect_error(p, "empty (0 bytes)");
}

TEST_F(VideoErrorsTest, DirectoryInsteadOfFile) { expect_error(dir_->path.string(), "not a regular file"); }

TEST_F(VideoErrorsTest, TextFileIsNotAContainer) {
  const std::string p = dir_->file("notes.mp4");
  const std::string text = "this is not a video\n";
  testing::write_bytes(p, std::vector<char>(text.begin(), text.end()));
  expect_error(p, "cannot open as a media container");
}

// The mp4 muxer writes the sample table (moov) last: a cut file has none.
TEST_F(VideoErrorsTest, TruncatedFile) {
  auto bytes = testing::read_bytes(good_);
  ASSERT_GT(bytes.size(), 1000u);
  bytes.resize(bytes.size() / 2);
  const std::string p = dir_->file("truncated.mp4");
  testing::write_bytes(p, bytes);
  expect_error(p, "cannot open as a media container");
}

// With the sample table first (+faststart) a cut file still opens; decoding must notice that the
// promised frames are missing instead of repeating the last one.
TEST_F(VideoErrorsTest, TruncatedFastStartFile) {
  if (!testing::have_ffmpeg_cli()) GTEST_SKIP() << "the ffmpeg command line is not installed";
  const std::string fast = dir_->file("faststart.mp4");
  const std::string cmd = "ffmpeg -v error -y -i '" + good_ + "' -c copy -movflags +faststart '" + fast + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  auto bytes = testing::read_bytes(fast);
  bytes.resize(bytes.size() * 2 / 5);
  const std::string p = dir_->file("faststart_truncated.mp4");
  testing::write_bytes(p, bytes);
  const VideoInfo info = probe(p);  // headers are complete
  std::vector<int64_t> all;
  for (int64_t i = 0; i < info.frame_count; ++i) all.push_back(i);
  try {
    decode_frames(p, all);
    ADD_FAILURE() << "decoding a truncated file succeeded";
  } catch (const VideoError& e) {
    std::cout << "  [decode_frames] " << e.what() << "\n";
    EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
  }
}

// Garbage over the container header.
TEST_F(VideoErrorsTest, CorruptHeader) {
  auto bytes = testing::read_bytes(good_);
  for (size_t i = 0; i < 64; ++i) bytes[i] = static_cast<char>(0xA5 ^ i);
  const std::string p = dir_->file("corrupt_header.mp4");
  testing::write_bytes(p, bytes);
  expect_error(p, "cannot open as a media container");
}

// Garbage over the coded frames: headers are intact (probe succeeds), decoding must refuse
// (strict mode) instead of returning concealed, wrong pixels.
TEST_F(VideoErrorsTest, CorruptFrameData) {
  auto bytes = testing::read_bytes(good_);
  // Frame data lies between the ftyp/mdat headers (first 48 bytes) and the moov at the end; overwrite
  // a stretch in the first third, inside the first GOP.
  for (size_t i = 100; i < bytes.size() / 3; i += 3) bytes[i] = static_cast<char>((i * 7919) & 0xFF);
  const std::string p = dir_->file("corrupt_data.mp4");
  testing::write_bytes(p, bytes);
  EXPECT_NO_THROW(probe(p));
  expect_error(p, "corrupt video data", /*probe_fails=*/false);
}

TEST_F(VideoErrorsTest, AudioOnlyFile) {
  if (!testing::have_ffmpeg_cli()) GTEST_SKIP() << "the ffmpeg command line is not installed";
  const std::string p = dir_->file("tone.m4a");
  const std::string cmd = "ffmpeg -v error -y -f lavfi -i sine=frequency=440:duration=1 -c:a aac '" + p + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  expect_error(p, "no video stream (streams: audio)");
}

}  // namespace
}  // namespace pevlm::video
