// Decode throughput on a synthetic 10-minute video (640x360, 25 fps, keyframe every 5 s, B-frames),
// ours vs the `ffmpeg` command line extracting the same frames as rawvideo RGB24, same machine, same run:
//  (a) 32 uniform indices (lmms-eval's Qwen2.5-VL sampler: linspace(0, n-1, 32) as int),
//  (b) 2-fps extraction (qwen-vl-utils: round(duration * 2) frames, linspace-rounded indices).
// The CLI runs once with a select filter (decodes everything) and, for (a), also as one `-ss` seek per
// frame (what per-frame tools do). Disabled by default (~1-2 min):
//   build/tests/video_perf_test --gtest_also_run_disabled_tests
// PEVLM_VIDEO_PERF_DIR keeps the encoded video between runs.
#include "datasets/synthetic/raster.h"
#include "datasets/video/video_reader.h"
#include "datasets/video/video_writer.h"
#include "tests/video_test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include <sys/resource.h>

namespace pevlm::video {
namespace {

constexpr int kW = 640, kH = 360, kFps = 25, kSeconds = 600;

double now_s() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// Wall time plus CPU time (user + system) of this process (all threads) or of waited-for children:
// on a shared, loaded machine CPU time compares the two implementations' work more fairly than wall.
struct Timing {
  double wall = 0, cpu = 0;
};
double cpu_s(int who) {
  rusage u{};
  getrusage(who, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + 1e-6 * (u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}
template <class Fn>
Timing measure(int who, Fn&& fn) {
  const double w0 = now_s(), c0 = cpu_s(who);
  fn();
  return {now_s() - w0, cpu_s(who) - c0};
}
Timing median(std::vector<Timing> v) {
  std::sort(v.begin(), v.end(), [](const Timing& a, const Timing& b) { return a.wall < b.wall; });
  return v[v.size() / 2];
}

// Palette scenes plus a moving diagonal texture in the lower third, so P/B-frames carry real work.
void write_perf_video(const std::string& path) {
  VideoWriterOptions o;
  o.width = kW;
  o.height = kH;
  o.fps = kFps;
  o.gop = 5 * kFps;
  o.threads = 0;
  VideoWriter w(path, o);
  std::vector<uint8_t> base, rgb;
  for (int s = 0; s < kSeconds; ++s) {
    synthetic::render_frame({s % 8, s % 10, s % 5}, kW, kH, base);
    for (int f = 0; f < kFps; ++f) {
      rgb = base;
      const int t = s * kFps + f;
      for (int y = kH * 2 / 3; y < kH; ++y)
        for (int x = 0; x < kW; ++x) {
          uint8_t* p = &rgb[(static_cast<size_t>(y) * kW + x) * 3];
          p[0] = static_cast<uint8_t>(((x + y + 4 * t) & 63) * 4);
          p[1] = static_cast<uint8_t>(((x - y + 2 * t) & 63) * 4);
        }
      w.write_rgb(rgb.data());
    }
  }
  w.finish();
}

std::vector<int64_t> linspace_indices(int64_t n, int64_t m, double* step_out) {
  const double step = static_cast<double>(n - 1) / static_cast<double>(m - 1);
  std::vector<int64_t> idx;
  for (int64_t k = 0; k < m; ++k) idx.push_back(std::llround(k * step));
  idx.erase(std::unique(idx.begin(), idx.end()), idx.end());
  *step_out = step;
  return idx;
}

// ffmpeg selecting exactly frames round(k * step): round(n / step) recovers k, so the expression tests
// the same double product as linspace_indices.
Timing time_ffmpeg_select(const std::string& in, double step, const std::string& out) {
  char expr[128];
  std::snprintf(expr, sizeof(expr), "select='eq(round(round(n/%.17g)*%.17g)\\,n)'", step, step);
  const std::string cmd = "ffmpeg -v error -y -threads 0 -i '" + in + "' -vf \"" + expr +
                          "\" -vsync passthrough -f rawvideo -pix_fmt rgb24 '" + out + "'";
  return measure(RUSAGE_CHILDREN, [&] { EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd; });
}

Timing time_ffmpeg_seek_per_frame(const std::string& in, const std::vector<int64_t>& idx, const std::string& out) {
  std::string cmd = "rm -f '" + out + "'";
  for (int64_t i : idx) {
    char ts[32];
    std::snprintf(ts, sizeof(ts), "%.6f", static_cast<double>(i) / kFps);
    cmd += " && ffmpeg -v error -threads 0 -ss " + std::string(ts) + " -i '" + in +
           "' -frames:v 1 -f rawvideo -pix_fmt rgb24 - >> '" + out + "'";
  }
  return measure(RUSAGE_CHILDREN, [&] { EXPECT_EQ(std::system(cmd.c_str()), 0); });
}

Timing time_ours(const std::string& in, const std::vector<int64_t>& idx, VideoFrames* out) {
  *out = VideoFrames{};  // free the previous run's frames first
  return measure(RUSAGE_SELF, [&] { *out = decode_frames(in, idx); });
}

// Mean absolute byte difference between our frames and the CLI's (different chroma upsampling filters).
double mean_abs_diff(const VideoFrames& ours, const std::string& cli_file) {
  const auto cli = testing::read_bytes(cli_file);
  EXPECT_EQ(cli.size(), ours.rgb_NHWC.size()) << cli_file;
  if (cli.size() != ours.rgb_NHWC.size()) return 1e9;
  double sum = 0;
  for (size_t k = 0; k < cli.size(); ++k) sum += std::abs(static_cast<int>(static_cast<uint8_t>(cli[k])) - ours.rgb_NHWC[k]);
  return sum / cli.size();
}

TEST(VideoPerf, DISABLED_TenMinuteVideoOursVsFfmpegCli) {
  if (!testing::have_ffmpeg_cli()) GTEST_SKIP() << "the ffmpeg command line is not installed";
  const char* env = std::getenv("PEVLM_VIDEO_PERF_DIR");
  const std::filesystem::path dir = env ? env : (std::filesystem::temp_directory_path() / "pevlm_video_perf");
  std::filesystem::create_directories(dir);
  const std::string video = (dir / "ten_minutes_640x360_25fps.mp4").string();
  if (!std::filesystem::exists(video)) {
    const double t0 = now_s();
    write_perf_video(video);
    std::printf("[ perf ] encoded %s in %.1f s (%s)\n", video.c_str(), now_s() - t0, default_video_encoder().c_str());
  }
  const VideoInfo info = probe(video);
  ASSERT_EQ(info.frame_count, int64_t{kFps} * kSeconds);

  struct Case { const char* name; int64_t m; };
  for (const Case c : {Case{"32 uniform frames", 32}, Case{"2 fps", std::llround(info.duration_s * 2)}}) {
    double step = 0;
    const auto idx = linspace_indices(info.frame_count, c.m, &step);
    VideoFrames ours;
    std::vector<Timing> t_ours, t_cli;
    for (int rep = 0; rep < 3; ++rep) t_ours.push_back(time_ours(video, idx, &ours));
    const std::string cli_out = (dir / "cli_frames.rgb").string();
    for (int rep = 0; rep < 3; ++rep) t_cli.push_back(time_ffmpeg_select(video, step, cli_out));
    const Timing o = median(t_ours), c_sel = median(t_cli);
    const double diff = mean_abs_diff(ours, cli_out);
    const double n = static_cast<double>(idx.size());
    std::printf("[ perf ] %-17s %4zu frames | ours: wall %6.2f s = %6.1f frames/s, cpu %6.2f s (decoded %lld, %d seeks)"
                " | ffmpeg CLI select: wall %6.2f s = %6.1f frames/s, cpu %6.2f s | mean |diff| %.2f\n",
                c.name, idx.size(), o.wall, n / o.wall, o.cpu, static_cast<long long>(ours.frames_decoded), ours.seeks,
                c_sel.wall, n / c_sel.wall, c_sel.cpu, diff);
    EXPECT_LT(diff, 3.0) << "our RGB frames differ from ffmpeg's beyond filter differences";
    if (c.m <= 100) {
      const Timing t = time_ffmpeg_seek_per_frame(video, idx, cli_out);
      std::printf("[ perf ] %-17s %4zu frames | ffmpeg CLI, one -ss per frame: wall %6.2f s = %6.1f frames/s, cpu %6.2f s"
                  " | mean |diff| %.2f\n", c.name, idx.size(), t.wall, n / t.wall, t.cpu, mean_abs_diff(ours, cli_out));
    }
    std::filesystem::remove(cli_out);
  }
}

}  // namespace
}  // namespace pevlm::video
