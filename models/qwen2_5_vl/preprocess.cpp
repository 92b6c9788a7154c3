// Qwen2.5-VL video preprocessing; see preprocess.h.
// Compare transformers 4.50 models/qwen2_vl/image_processing_qwen2_vl.py (smart_resize,
// Qwen2VLImageProcessor._preprocess) and image_transforms.py (rescale, normalize).
#include "models/qwen2_5_vl/preprocess.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace pevlm::qwen2_5_vl {
namespace {

// Python's round(): nearest, ties to even (std::nearbyint under the default FE_TONEAREST mode).
int64_t py_round(double x) { return static_cast<int64_t>(std::nearbyint(x)); }

// Step 2 of preprocess_video: transformers' rescale (float64 multiply, cast to float32) then
// normalize ((x - mean) / std with mean/std cast to float32). frames [T, H, W, 3] uint8 ->
// [T, 3, H, W] float32.
at::Tensor rescale_normalize(const at::Tensor& frames_THWC, const PreprocessorConfig& cfg) {
  at::Tensor x = frames_THWC.to(at::kDouble).mul(cfg.rescale_factor).to(at::kFloat);
  at::Tensor mean = at::tensor(std::vector<double>(cfg.image_mean.begin(), cfg.image_mean.end()),
                               at::kDouble).to(at::kFloat);
  at::Tensor std = at::tensor(std::vector<double>(cfg.image_std.begin(), cfg.image_std.end()),
                              at::kDouble).to(at::kFloat);
  x = x.sub(mean).div(std);  // broadcast over the channel (last) axis, float32 like numpy
  return x.permute({0, 3, 1, 2}).contiguous();
}

}  // namespace

ResizeTarget smart_resize(int64_t height, int64_t width, int64_t factor, int64_t min_pixels,
                          int64_t max_pixels) {
  if (height <= 0 || width <= 0 || factor <= 0) {
    throw std::invalid_argument("smart_resize: expected positive height, width and factor, got " +
                                std::to_string(height) + "x" + std::to_string(width) + ", factor " +
                                std::to_string(factor));
  }
  const double ratio = double(std::max(height, width)) / double(std::min(height, width));
  if (ratio > 200.0) {
    throw std::invalid_argument("smart_resize: absolute aspect ratio must be <= 200, got " +
                                std::to_string(ratio) + " for " + std::to_string(height) + "x" +
                                std::to_string(width));
  }
  const double f = double(factor);
  int64_t h_bar = py_round(double(height) / f) * factor;
  int64_t w_bar = py_round(double(width) / f) * factor;
  if (h_bar * w_bar > max_pixels) {
    const double beta = std::sqrt(double(height * width) / double(max_pixels));
    h_bar = std::max(factor, int64_t(std::floor(double(height) / beta / f)) * factor);
    w_bar = std::max(factor, int64_t(std::floor(double(width) / beta / f)) * factor);
  } else if (h_bar * w_bar < min_pixels) {
    const double beta = std::sqrt(double(min_pixels) / double(height * width));
    h_bar = int64_t(std::ceil(double(height) * beta / f)) * factor;
    w_bar = int64_t(std::ceil(double(width) * beta / f)) * factor;
  }
  return {h_bar, w_bar};
}

VideoPatches preprocess_video(const at::Tensor& frames_THWC, const PreprocessOptions& options) {
  vision_common::check_rgb_frames(frames_THWC, "preprocess_video");
  const PreprocessorConfig& cfg = options.config;
  if (cfg.patch_size <= 0 || cfg.temporal_patch_size <= 0 || cfg.merge_size <= 0) {
    throw std::invalid_argument("preprocess_video: preprocessor config '" + cfg.source +
                                "' needs positive patch_size, temporal_patch_size, merge_size");
  }
  const int64_t H = frames_THWC.size(1), W = frames_THWC.size(2);
  ResizeTarget size = options.size;
  if (size.height == 0 && size.width == 0) {
    size = smart_resize(H, W, cfg.resize_factor(), cfg.min_pixels, cfg.max_pixels);
  }
  if (size.height % cfg.resize_factor() != 0 || size.width % cfg.resize_factor() != 0) {
    throw std::invalid_argument("preprocess_video: resize target " + std::to_string(size.height) + "x" +
                                std::to_string(size.width) + " is not a multiple of patch_size*merge_size = " +
                                std::to_string(cfg.resize_factor()));
  }
  // PIL's Image.resize returns a copy when the size is unchanged; do the same.
  at::Tensor frames = (size.height == H && size.width == W)
                          ? frames_THWC
                          : resize_frames_bicubic_aa(frames_THWC, size.height, size.width, options.resize_method);
  at::Tensor x_TCHW = rescale_normalize(frames, cfg);
  const int64_t rem = x_TCHW.size(0) % cfg.temporal_patch_size;
  if (rem != 0) {  // repeat the last frame (np.repeat(patches[-1], tp - 1)), as transformers 4.50
    at::Tensor last = x_TCHW.slice(0, x_TCHW.size(0) - 1).expand({cfg.temporal_patch_size - rem, -1, -1, -1});
    x_TCHW = at::cat({x_TCHW, last}, 0);
  }
  VideoPatches out;
  out.pixel_values = flatten_patches(x_TCHW, cfg.patch_size, cfg.temporal_patch_size, cfg.merge_size);
  out.grid = {x_TCHW.size(0) / cfg.temporal_patch_size, size.height / cfg.patch_size,
              size.width / cfg.patch_size};
  out.size = size;
  return out;
}

}  // namespace pevlm::qwen2_5_vl
