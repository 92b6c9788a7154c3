// Prefetcher: order of delivery, bounded look-ahead, per-job exceptions, early destruction, and real
// use with the video decoder.
#include "datasets/synthetic/synthetic_lvb.h"
#include "datasets/video/prefetcher.h"
#include "datasets/video/video_reader.h"
#include "tests/video_test_util.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace pevlm::video {
namespace {

TEST(PrefetcherTest, DeliversResultsInJobOrder) {
  std::vector<int> jobs;
  for (int i = 0; i < 20; ++i) jobs.push_back(i);
  // Uneven job times: early jobs slow, so a broken queue would reorder.
  Prefetcher<int, int> pf(jobs, [](const int& j) {
    std::this_thread::sleep_for(std::chrono::microseconds((20 - j) * 200));
    return j * j;
  }, 3);
  EXPECT_EQ(pf.size(), 20u);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(pf.has_next());
    EXPECT_EQ(pf.next_index(), static_cast<size_t>(i));
    EXPECT_EQ(pf.next(), i * i);
  }
  EXPECT_FALSE(pf.has_next());
  EXPECT_THROW(pf.next(), std::out_of_range);
}

TEST(PrefetcherTest, LookAheadIsBoundedByCapacity) {
  std::atomic<int> started{0};
  std::vector<int> jobs(10, 0);
  const size_t capacity = 2;
  Prefetcher<int, int> pf(jobs, [&](const int&) { return ++started; }, capacity);
  // Let the worker run ahead as far as it may (polling: the machine may be busy), then a little longer.
  for (int k = 0; k < 500 && started.load() < static_cast<int>(capacity); ++k)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  // At most `capacity` results wait in the queue; none is being computed while the queue is full.
  EXPECT_EQ(started.load(), static_cast<int>(capacity));
  for (size_t delivered = 1; delivered <= jobs.size(); ++delivered) {
    pf.next();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_LE(started.load(), static_cast<int>(std::min(jobs.size(), delivered + capacity)));
  }
}

TEST(PrefetcherTest, ExceptionBelongsToItsJobAndLaterJobsStillFinish) {
  std::vector<std::string> jobs = {"a", "bad", "c", "d"};
  Prefetcher<std::string, std::string> pf(jobs, [](const std::string& j) {
    if (j == "bad") throw std::runtime_error("cannot decode job " + j);
    return j + "!";
  }, 1);
  EXPECT_EQ(pf.next(), "a!");
  try {
    pf.next();
    ADD_FAILURE() << "the bad job did not throw";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "cannot decode job bad");
  }
  EXPECT_EQ(pf.next(), "c!");
  EXPECT_EQ(pf.next(), "d!");
  EXPECT_FALSE(pf.has_next());
}

TEST(PrefetcherTest, DestroyingEarlyDoesNotWaitForRemainingJobs) {
  std::atomic<int> ran{0};
  const auto t0 = std::chrono::steady_clock::now();
  {
    Prefetcher<int, int> pf(std::vector<int>(100, 0), [&](const int&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      return ++ran;
    }, 2);
    EXPECT_EQ(pf.next(), 1);
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(ran.load(), 10) << "the worker kept running after destruction";
  EXPECT_LT(s, 0.5);
}

TEST(PrefetcherTest, RejectsZeroCapacity) {
  EXPECT_THROW((Prefetcher<int, int>({1}, [](const int& j) { return j; }, 0)), std::invalid_argument);
}

// Real use: decode one sample ahead; a missing file is that sample's VideoError only.
TEST(PrefetcherTest, PrefetchesVideoDecodes) {
  testing::TempDir dir("pevlm_video_prefetch_test");
  const auto summary = synthetic::make_synthetic_lvb(dir.path.string(), 2, 11);
  std::vector<std::string> paths = {dir.file("videos/" + summary.video_ids[0] + ".mp4"), dir.file("videos/missing.mp4"),
                                    dir.file("videos/" + summary.video_ids[1] + ".mp4")};
  Prefetcher<std::string, VideoFrames> pf(paths, [](const std::string& p) {
    return decode_at_timestamps(p, {0.5, 1.5, 2.5});
  }, 1);
  const VideoFrames a = pf.next();
  EXPECT_EQ(a.size(), 3u);
  EXPECT_EQ(a.rgb_NHWC, decode_at_timestamps(paths[0], {0.5, 1.5, 2.5}).rgb_NHWC);
  EXPECT_THROW(pf.next(), VideoError);
  EXPECT_EQ(pf.next().size(), 3u);
}

}  // namespace
}  // namespace pevlm::video
