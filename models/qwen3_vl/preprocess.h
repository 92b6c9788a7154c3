// Qwen3-VL video sampling and preprocessing as qwen-vl-utils 0.0.14 does it for Qwen3-VL
// (image_patch_size 16), then the processor's rescale / normalise (mean = std = 0.5) and patch
// flattening (library pevlm_qwen3_vl_vision).
//
// Mirrors QwenLM/Qwen3-VL qwen-vl-utils/src/qwen_vl_utils/vision_process.py: smart_nframes (fps 2,
// min_frames ceil-to-even(4), max_frames floor-to-even(min(768, total)), n = total / video_fps * fps
// clamped and floored to an even count), the indices round(torch.linspace(0, total - 1, n)) (float32,
// halves to even), fetch_video's per-frame pixel budget (min 128 x 32^2, max = max(min(768 x 32^2,
// total_pixels / n x 2), int(1.05 x min)), total_pixels = 128000 x 32^2 x 0.9) and its smart_resize
// (each side rounded to a multiple of 32, at least 32, then scaled into the budget); the resize is
// torchvision's antialiased bicubic on uint8 frames. transformers' Qwen3VLVideoProcessor.patchify
// orders the rows as Qwen2-VL's (t, merged row, merged col, row, col; each row C, t, py, px).
// The resampler and the flattening are shared with Qwen2.5-VL (models/vision_common/frames.h).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "models/qwen3_vl/vision_positions.h"

namespace pevlm::qwen3_vl {

struct SamplingOptions {
  double fps = 2.0;                 // FPS
  int64_t min_frames = 4;           // FPS_MIN_FRAMES
  int64_t max_frames = 768;         // FPS_MAX_FRAMES (lmms-eval's qwen3_vl wrapper passes 32 by default)
  int64_t min_tokens = 128;         // VIDEO_MIN_TOKEN_NUM (per frame, in merged 32 x 32 tokens)
  int64_t max_tokens = 768;         // VIDEO_MAX_TOKEN_NUM
  double total_pixels = 128000.0 * 32 * 32 * 0.9;  // MODEL_SEQ_LEN x factor^2 x 0.9
  int64_t patch_size = 16;
  int64_t merge_size = 2;
  int64_t factor() const { return patch_size * merge_size; }
};

// smart_nframes: the number of frames (even, >= 2). Throws std::invalid_argument when the video has
// fewer than 2 frames or fps <= 0 (qwen-vl-utils raises too).
int64_t sample_frame_count(int64_t total_frames, double video_fps, const SamplingOptions& options = {});
// round(linspace(0, total - 1, n)) in float32 as torch computes it.
std::vector<int64_t> sample_frame_indices(int64_t total_frames, double video_fps, const SamplingOptions& options = {});

struct FrameSize {
  int64_t height = 0, width = 0;
  bool operator==(const FrameSize&) const = default;
};
// fetch_video's per-frame budget for `nframes` frames and its smart_resize of (height, width).
// `max_pixels` > 0 is the caller's ele["max_pixels"]: it can only lower the budget (qwen-vl-utils takes
// min(given, budget) and warns when the given value is larger).
FrameSize video_resize_target(int64_t height, int64_t width, int64_t nframes, const SamplingOptions& options = {},
                              double max_pixels = 0);

struct VideoPixels {
  at::Tensor pixel_values;  // [t*h*w, 3*2*16*16] float32
  Grid grid;
};

// Normalise (x / 255 - 0.5) / 0.5 as the processor's numpy code and flatten frames that already have
// their final size (uint8 [T, H, W, 3], H and W multiples of 32; an odd T repeats the last frame).
VideoPixels patchify_frames(const at::Tensor& frames_THWC, const SamplingOptions& options = {});
// Resizes uint8 frames to `size` (torchvision antialiased bicubic; `pil` = PIL's resampler, the
// transformers image-processor path) and patchify_frames them.
VideoPixels preprocess_frames(const at::Tensor& frames_THWC, const FrameSize& size, bool pil = false,
                              const SamplingOptions& options = {});

}  // namespace pevlm::qwen3_vl
