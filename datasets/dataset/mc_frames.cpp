#include "datasets/dataset/mc_frames.h"

#include <cmath>
#include <stdexcept>

#include "datasets/longvideobench/frame_sampling.h"
#include "datasets/longvideobench/protocol.h"

namespace pevlm::datasets {

lvb::PromptPlan plan_mc_frames(const McProtocol& p, const lvb::VideoProbe& probe, const std::string& who) {
  if (!(probe.fps > 0.0) || !std::isfinite(probe.fps))
    throw std::invalid_argument(who + ": video probe: fps must be positive, got " + std::to_string(probe.fps));
  if (probe.frame_count < 1)
    throw std::invalid_argument(who + ": video probe: no frames (frame_count " + std::to_string(probe.frame_count) + ")");
  lvb::PromptPlan plan;
  plan.protocol = p.benchmark + "/" + p.name;
  plan.frames_as_video = p.frames_as_video;
  plan.min_pixels = p.min_pixels;
  plan.max_pixels = double(p.max_pixels);
  plan.second_per_grid_ts = p.second_per_grid_ts;
  plan.system_prompt = p.system_prompt;
  try {
    if (p.sampler == "qwen_fps") {
      const lvb::QwenFpsSampling q = lvb::qwen_fps_sampling(probe.frame_count, probe.fps, p.fps, p.min_frames, p.max_frames,
                                                            p.max_num_frames, p.deduplicate);
      plan.frame_indices = q.indices;
      plan.decoded_frames = q.decoded_frames;
      plan.sample_fps = q.sample_fps;
      // The same cap as LongVideoBench's lmms_val_v (qwen-vl-utils fetch_video), on this protocol's numbers.
      lvb::Protocol pixels = lvb::make_protocol("lmms_val_v");
      pixels.min_pixels = p.min_pixels;
      pixels.max_pixels = p.max_pixels;
      pixels.cap_video_pixels = p.cap_video_pixels;
      pixels.video_total_pixels = p.video_total_pixels;
      plan.max_pixels = lvb::video_max_pixels(pixels, q.decoded_frames);
    } else {  // uniform: np.linspace(0, frame_count - 1, n, dtype=int)
      plan.frame_indices = lvb::numpy_linspace_int(probe.frame_count - 1, p.max_num_frames);
      plan.decoded_frames = int64_t(plan.frame_indices.size());
    }
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(who + ": " + e.what());
  }
  for (int64_t i : plan.frame_indices) plan.frame_timestamps.push_back(double(i) / probe.fps);
  for (size_t i = 0; i < plan.frame_indices.size(); ++i)
    plan.pieces.push_back(lvb::PromptPiece{lvb::PromptPiece::Kind::Frame, int(i), ""});
  return plan;
}

}  // namespace pevlm::datasets
