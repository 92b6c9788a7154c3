// Video side of one evaluation sample, run on the prefetch thread: probe, the protocol's prompt
// plan, FFmpeg decode of its frames, and the model family's preprocessing (VideoLM::prepare).
#pragma once

#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "datasets/dataset/benchmark.h"
#include "datasets/longvideobench/prompt_plan.h"
#include "harness/eval/frames_cache.h"
#include "models/video_lm/video_lm.h"

namespace pevlm {

struct PreparedVideo {
  lvb::PromptPlan plan;
  VideoInput input;              // the model's chunks (one video, or one per frame) and user pieces
  int64_t frames = 0;
  double duration_s = 0;         // probed container duration
  std::string codec;
  int width = 0, height = 0;     // stored frame size (before any rotation)
  int rotation_deg = 0;          // the video's clockwise display rotation (display matrix)
  bool rotation_applied = false; // frames were rotated by rotation_deg (protocol apply_rotation)
  bool frames_from_cache = false; // decoded frames came from a FramesCache entry
  double decode_video_ms = 0, preprocess_ms = 0;
};

// Frames of the video at `path` through a frames cache (issue 10; `pevlm eval` and `pevlm generate`
// --frames-cache DIR): with an entry under `key`, its container facts and frames replace probing and
// decoding (neither the file nor FFmpeg is needed); otherwise `before_decoding` (when set) may throw
// (e.g. "video file not found"), the video is probed and decoded, and stored under `key` when `cache`
// is given. `plan_indices` picks the frame indices from the container facts; an entry holding other
// frames than it picks is an error naming the entry (stale). Errors start with `who`.
struct CachedFrames {
  CachedProbe probe;
  std::vector<int64_t> frame_indices;
  at::Tensor frames_THWC;  // uint8 [T, H, W, 3] in plan order
  double decode_ms = 0;    // measured where the frames were decoded (kept by the cache)
  bool from_cache = false;
};
CachedFrames frames_through_cache(const std::string& path, const nlohmann::json& key, const FramesCache* cache,
                                  bool apply_rotation, const std::function<std::vector<int64_t>(const CachedProbe&)>& plan_indices,
                                  const std::function<void()>& before_decoding, const std::string& who);

// The first half of prepare_video: probe (or the frames cache), the protocol's plan and the decoded
// frames uint8 [T, H, W, 3] in plan order; fills `out`'s plan and video facts. Stores a new entry in
// `frames_cache` (when given) after decoding. `pevlm eval --decode-only` runs just this.
at::Tensor decode_sample_frames(const datasets::Sample& sample, const datasets::Benchmark& benchmark,
                                const FramesCache* frames_cache, PreparedVideo& out);

// Throws (VideoError, std::invalid_argument, ...) naming the sample and file on any problem. With a
// frames cache, an entry for (video_path, protocol) replaces probing and decoding (the video
// file need not exist); without one the video is decoded and, when a cache is given, stored there.
PreparedVideo prepare_video(const datasets::Sample& sample, const datasets::Benchmark& benchmark, const VideoLM& model,
                            const FramesCache* frames_cache = nullptr);

}  // namespace pevlm
