// VILA's frame indices; see frame_sampling.h.
#include "models/longvila/frame_sampling.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "datasets/longvideobench/frame_sampling.h"

namespace pevlm::longvila {

std::vector<int64_t> vila_frame_indices(int64_t frame_count, double video_fps, double fps, int64_t num_frames) {
  if (frame_count < 1) throw std::invalid_argument("VILA frame sampling: the video has no frames (frame_count " + std::to_string(frame_count) + ")");
  if (num_frames < 1) throw std::invalid_argument("VILA frame sampling: num_video_frames must be >= 1, got " + std::to_string(num_frames));
  if (!(fps > 0)) return lvb::numpy_linspace_round(frame_count - 1, num_frames);  // `else` branch, as `if fps > 0` fails
  if (!(video_fps > 0))
    throw std::invalid_argument("VILA frame sampling: config fps " + std::to_string(fps) +
                                " samples by time, but the video reports no frame rate (VILA's duration is then 0 and it "
                                "loads no frame)");
  const double duration_sec = static_cast<double>(frame_count) / video_fps;
  const double step = 1.0 / fps;
  // np.arange(0, stop, step): length ceil((stop - 0) / step), values 0 + i * step (numpy's fill).
  const double length = std::ceil(duration_sec / step);
  const int64_t n = std::min<int64_t>(length > 0 ? static_cast<int64_t>(length) : 0, num_frames);  // timestamps[:num_frames]
  std::vector<int64_t> indices;
  for (int64_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) * step;
    const double scaled = t * video_fps;
    const auto index = static_cast<int64_t>(scaled);  // int(): toward zero
    if (index < frame_count) indices.push_back(index);  // a read past the last frame fails; VILA skips it
  }
  return indices;
}

}  // namespace pevlm::longvila
