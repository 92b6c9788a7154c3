// Frame resampling and patch flattening shared by the Qwen vision families (library
// pevlm_vision_frames): Qwen2.5-VL's preprocessing (models/qwen2_5_vl/preprocess.h) and Qwen3-VL's
// (models/qwen3_vl/preprocess.h) resize frames and cut them into patches the same way.
//
// Mirrors transformers 4.50 image_processing_qwen2_vl.py (Qwen2VLImageProcessor._preprocess: patch
// flattening) and qwen-vl-utils' video path (torchvision resize, bicubic, antialias=True); facts in
// ../shared/reference/qwen2_5_vl.md, "Preprocessing".
//
// Errors: std::invalid_argument naming the argument and what was expected.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace pevlm::vision_common {

// Which bicubic resampler resize_frames_bicubic_aa uses. Both are antialiased bicubic with
// a = -0.5 (PIL's kernel, support scaled by the downscale factor) and align_corners=false.
enum class ResizeMethod {
  // torchvision resize(antialias=True, BICUBIC) on a uint8 tensor — the qwen-vl-utils video path
  // used by published Qwen2.5-VL evaluations: frames -> float32 -> at::_upsample_bicubic2d_aa
  // (both passes in float, no intermediate rounding) -> clamp(0, 255) -> round half to even ->
  // uint8. Differs from PIL by one level on smooth content, and by more (up to ~16 levels) next
  // to hard edges where the cubic overshoot is clipped only once instead of after each pass.
  TorchvisionFloat,
  // PIL Image.resize(BICUBIC) — the transformers image processor path: at::_upsample_bicubic2d_aa
  // on the uint8 tensor itself, libtorch's port of PIL's separable fixed-point resampler
  // (horizontal pass, round + clip to uint8, vertical pass). Matches Pillow up to rare one-level
  // differences.
  PilUint8,
};

// Throws std::invalid_argument ("<what>: expected uint8 RGB frames [T>=1, H, W, 3], got ...") unless
// `frames_THWC` is uint8 [T >= 1, H, W, 3].
void check_rgb_frames(const at::Tensor& frames_THWC, const char* what);

// Resizes uint8 RGB frames `frames_THWC` [T, H, W, 3] to (height, width) with `method`.
// Returns [T, height, width, 3] uint8.
at::Tensor resize_frames_bicubic_aa(const at::Tensor& frames_THWC, int64_t height, int64_t width,
                                    ResizeMethod method = ResizeMethod::TorchvisionFloat);

// Patch flattening of normalised float frames `frames_TCHW` [T, C, H, W] with T a multiple of
// temporal_patch_size and H, W multiples of patch*merge: reshape(gt, tp, C, gh/m, m, p, gw/m, m, p) ->
// permute(0, 3, 6, 4, 7, 2, 1, 5, 8) -> [gt*gh*gw, C*tp*p*p]: rows ordered (t, merged row, merged
// col, row in block, col in block), each row is (channel, time, py, px).
at::Tensor flatten_patches(const at::Tensor& frames_TCHW, int64_t patch_size,
                           int64_t temporal_patch_size, int64_t merge_size);

}  // namespace pevlm::vision_common
