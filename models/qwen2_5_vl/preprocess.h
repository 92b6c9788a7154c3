// Qwen2.5-VL video preprocessing: smart_resize, antialiased bicubic resize, rescale + normalise,
// odd-frame padding and patch flattening (library pevlm_qwen_vision; the resampler and the flattening
// live in models/vision_common/frames.h, shared with Qwen3-VL).
//
// Mirrors transformers 4.50 image_processing_qwen2_vl.py (Qwen2VLImageProcessor._preprocess,
// smart_resize) and qwen-vl-utils' video path (torchvision resize, bicubic, antialias=True);
// facts in ../shared/reference/qwen2_5_vl.md, "Preprocessing".
//
// Errors: std::invalid_argument naming the argument and what was expected.
#pragma once

#include <ATen/ATen.h>

#include <array>
#include <cstdint>
#include <string>

#include "models/qwen2_5_vl/config.h"
#include "models/vision_common/frames.h"

namespace pevlm::qwen2_5_vl {

// Output grid of one video in patch units: t = temporal grid steps (2 frames each),
// h, w = patch rows / columns (multiples of merge_size).
struct GridTHW {
  int64_t t = 0;
  int64_t h = 0;
  int64_t w = 0;
  int64_t patches() const { return t * h * w; }
  bool operator==(const GridTHW&) const = default;
};

// Target (height, width) in pixels.
struct ResizeTarget {
  int64_t height = 0;
  int64_t width = 0;
  bool operator==(const ResizeTarget&) const = default;
};

// transformers' smart_resize (image_processing_qwen2_vl.py): round each side to a multiple of
// `factor` (Python round: half to even); if the area exceeds max_pixels scale both sides by
// 1/sqrt(hw/max) and floor to multiples (at least `factor`); if below min_pixels scale up by
// sqrt(min/hw) and ceil. Throws std::invalid_argument for non-positive sizes or an aspect ratio
// above 200 (as transformers).
ResizeTarget smart_resize(int64_t height, int64_t width, int64_t factor, int64_t min_pixels,
                          int64_t max_pixels);

// The resampler and the patch flattening are shared with Qwen3-VL (models/vision_common/frames.h);
// Qwen2.5-VL's names for them.
using ResizeMethod = vision_common::ResizeMethod;
using vision_common::flatten_patches;
using vision_common::resize_frames_bicubic_aa;

// The result of preprocess_video.
struct VideoPatches {
  at::Tensor pixel_values;  // [t*h*w, C*temporal_patch*patch*patch] float32 (1176 wide)
  GridTHW grid;             // patch grid (t, h, w)
  ResizeTarget size;        // frame size after resize (h*patch, w*patch)
};

// What preprocess_video does (defaults = Qwen2VLImageProcessor + qwen-vl-utils).
struct PreprocessOptions {
  PreprocessorConfig config;  // min/max pixels, patch/temporal/merge sizes, mean/std, rescale
  // Resize target; height = width = 0 -> smart_resize(H, W, patch*merge, min, max) of the input.
  ResizeTarget size;
  // Resampler for frames that need resizing (see ResizeMethod).
  ResizeMethod resize_method = ResizeMethod::TorchvisionFloat;
};

// Full video preprocessing of uint8 RGB frames `frames_THWC` [T, H, W, 3] (T >= 1):
//  1. resize (resize_frames_bicubic_aa) to options.size or smart_resize's target; skipped when
//     the frames already have that size (as transformers, which then leaves pixels untouched);
//  2. rescale and normalise exactly as transformers' numpy code: x = float32(double(u8) * scale),
//     y = (x - float32(mean_c)) / float32(std_c) in float32;
//  3. a frame count not divisible by temporal_patch_size repeats the last frame;
//  4. patch flattening: [T, C, H, W] -> reshape(gt, tp, C, gh/m, m, p, gw/m, m, p) ->
//     permute(0, 3, 6, 4, 7, 2, 1, 5, 8) -> [gt*gh*gw, C*tp*p*p]: rows ordered (t, merged row,
//     merged col, row in block, col in block), each row is (channel, time, py, px).
// Throws std::invalid_argument naming the problem for a wrong dtype/rank/channel count.
VideoPatches preprocess_video(const at::Tensor& frames_THWC, const PreprocessOptions& options);

}  // namespace pevlm::qwen2_5_vl
