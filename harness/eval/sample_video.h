// Video side of one evaluation sample, run on the prefetch thread: probe, the protocol's prompt
// plan, FFmpeg decode of its frames, and Qwen2.5-VL preprocessing into patch chunks.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "datasets/longvideobench/prompt_plan.h"
#include "datasets/longvideobench/sample.h"
#include "models/qwen2_5_vl/preprocess.h"

namespace pevlm {

// The user turn as text pieces and video chunks, in prompt order.
struct UserPiece {
  std::string text;       // when chunk < 0
  int chunk = -1;         // index into PreparedVideo::chunks
};

struct PreparedVideo {
  lvb::PromptPlan plan;
  std::vector<qwen2_5_vl::VideoPatches> chunks;  // one video (frames_as_video) or one per frame (images)
  std::vector<UserPiece> pieces;
  int64_t frames = 0;
  std::string codec;
  int width = 0, height = 0;     // stored frame size (before any rotation)
  int rotation_deg = 0;          // the video's clockwise display rotation (display matrix)
  bool rotation_applied = false; // frames were rotated by rotation_deg (protocol apply_rotation)
  double decode_video_ms = 0, preprocess_ms = 0;
};

// Throws (VideoError, std::invalid_argument, ...) naming the sample and file on any problem.
PreparedVideo prepare_video(const lvb::Sample& sample, const lvb::Protocol& protocol,
                            const qwen2_5_vl::PreprocessorConfig& preprocessor);

}  // namespace pevlm
