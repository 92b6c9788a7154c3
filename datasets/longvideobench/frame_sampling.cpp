// Frame index selection of the LongVideoBench protocols (see frame_sampling.h).
#include "datasets/longvideobench/frame_sampling.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace pevlm::lvb {
namespace {

void require_positive(double value, const char* what) {
  if (!(value > 0.0) || !std::isfinite(value)) {
    throw std::invalid_argument(std::string(what) + ": expected a positive finite number, got " +
                                std::to_string(value));
  }
}

}  // namespace

std::vector<int64_t> official_frame_indices(double duration, double fps, int max_num_frames) {
  require_positive(duration, "official sampler: duration");
  require_positive(fps, "official sampler: fps");
  if (max_num_frames < 1) {
    throw std::invalid_argument("official sampler: max_num_frames: expected >= 1, got " +
                                std::to_string(max_num_frames));
  }
  // Python: total_valid_frames = int(duration * fps); num_frames = min(max, int(duration)).
  const int64_t total = static_cast<int64_t>(duration * fps);
  const int64_t n = std::min<int64_t>(max_num_frames, static_cast<int64_t>(duration));
  if (n == 0) {
    throw std::invalid_argument("official sampler: duration " + std::to_string(duration) +
                                " s gives int(duration) = 0 frames (the reference divides by zero)");
  }
  // int(total_valid_frames / num_frames) * i: true division then truncation.
  const int64_t stride = static_cast<int64_t>(static_cast<double>(total) / static_cast<double>(n));
  std::vector<int64_t> idx(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) idx[static_cast<size_t>(i)] = stride * i;
  return idx;
}

std::vector<double> lmms_compute_frame_timestamps(double duration, int max_num_frames) {
  require_positive(duration, "compute_frame_timestamps: duration");
  if (max_num_frames < 1) {
    throw std::invalid_argument("compute_frame_timestamps: max_num_frames: expected >= 1, got " +
                                std::to_string(max_num_frames));
  }
  std::vector<double> ts;
  if (duration > max_num_frames) {
    for (int i = 0; i < max_num_frames; ++i) ts.push_back(duration / max_num_frames * i);
  } else {
    const int64_t n = static_cast<int64_t>(duration);
    for (int64_t i = 0; i < n; ++i) ts.push_back(static_cast<double>(i));
  }
  return ts;
}

int64_t qwen_smart_nframes(int64_t total_frames, double video_fps, double fps, int64_t min_frames,
                           int64_t max_frames) {
  constexpr int64_t kFactor = 2;  // FRAME_FACTOR
  require_positive(video_fps, "smart_nframes: video fps");
  require_positive(fps, "smart_nframes: sampling fps");
  if (total_frames < 1) {
    throw std::invalid_argument("smart_nframes: total_frames: expected >= 1, got " +
                                std::to_string(total_frames));
  }
  const double min_f = std::ceil(static_cast<double>(min_frames) / kFactor) * kFactor;
  const double max_f =
      std::floor(static_cast<double>(std::min(max_frames, total_frames)) / kFactor) * kFactor;
  double n = static_cast<double>(total_frames) / video_fps * fps;
  n = std::min(std::min(std::max(n, min_f), max_f), static_cast<double>(total_frames));
  const int64_t nframes = static_cast<int64_t>(std::floor(n / kFactor)) * kFactor;
  if (!(kFactor <= nframes && nframes <= total_frames)) {
    throw std::invalid_argument("smart_nframes: nframes should be in [2, " +
                                std::to_string(total_frames) + "], got " + std::to_string(nframes) +
                                " (a video needs at least 2 frames)");
  }
  return nframes;
}

std::vector<int64_t> torch_linspace_round(int64_t start, int64_t end, int64_t steps) {
  if (steps < 1) {
    throw std::invalid_argument("linspace: steps: expected >= 1, got " + std::to_string(steps));
  }
  const float s = static_cast<float>(start), e = static_cast<float>(end);
  std::vector<int64_t> out(static_cast<size_t>(steps));
  if (steps == 1) {  // ATen fills `start` for a single step
    out[0] = static_cast<int64_t>(std::nearbyint(s));
    return out;
  }
  const float step = (e - s) / static_cast<float>(steps - 1);
  const int64_t halfway = steps / 2;
  for (int64_t i = 0; i < steps; ++i) {
    const float v = i < halfway ? std::fmaf(step, static_cast<float>(i), s)
                                : std::fmaf(-step, static_cast<float>(steps - i - 1), e);
    out[static_cast<size_t>(i)] = static_cast<int64_t>(std::nearbyint(v));  // half to even
  }
  return out;
}

namespace {

// np.linspace(0, stop, num) as float64: i * (stop / (num - 1)), then y[-1] = stop exactly, each point
// turned into an index by `to_index`.
template <typename ToIndex>
std::vector<int64_t> numpy_linspace(int64_t stop, int64_t num, ToIndex to_index) {
  if (num < 1) {
    throw std::invalid_argument("np.linspace: num: expected >= 1, got " + std::to_string(num));
  }
  std::vector<int64_t> out(static_cast<size_t>(num));
  const double step = num > 1 ? static_cast<double>(stop) / static_cast<double>(num - 1) : 0.0;
  for (int64_t i = 0; i < num; ++i) out[static_cast<size_t>(i)] = to_index(static_cast<double>(i) * step);
  if (num > 1) out.back() = stop;  // y[-1] = stop
  return out;
}

}  // namespace

std::vector<int64_t> numpy_linspace_int(int64_t stop, int64_t num) {
  return numpy_linspace(stop, num, [](double y) { return static_cast<int64_t>(std::floor(y)); });  // dtype=int
}

std::vector<int64_t> numpy_linspace_round(int64_t stop, int64_t num) {
  return numpy_linspace(stop, num, [](double y) { return static_cast<int64_t>(std::nearbyint(y)); });  // half to even
}

QwenFpsSampling qwen_fps_sampling(int64_t total_frames, double video_fps, double fps,
                                  int64_t min_frames, int64_t max_frames, int64_t max_num_frames,
                                  bool deduplicate) {
  QwenFpsSampling r;
  r.decoded_frames = qwen_smart_nframes(total_frames, video_fps, fps, min_frames, max_frames);
  const std::vector<int64_t> decoded = torch_linspace_round(0, total_frames - 1, r.decoded_frames);
  r.sample_fps = static_cast<double>(r.decoded_frames) /
                 std::max(static_cast<double>(total_frames), 1e-6) * video_fps;
  const int64_t last = r.decoded_frames - 1;
  if (max_num_frames > 0) {
    r.decoded_positions = numpy_linspace_int(last, max_num_frames);
    if (std::find(r.decoded_positions.begin(), r.decoded_positions.end(), last) ==
        r.decoded_positions.end()) {
      r.decoded_positions.push_back(last);
    }
  } else {
    for (int64_t i = 0; i <= last; ++i) r.decoded_positions.push_back(i);
  }
  if (deduplicate) {
    auto end = std::unique(r.decoded_positions.begin(), r.decoded_positions.end());  // sorted
    r.decoded_positions.erase(end, r.decoded_positions.end());
  }
  for (int64_t p : r.decoded_positions) r.indices.push_back(decoded[static_cast<size_t>(p)]);
  return r;
}

}  // namespace pevlm::lvb
