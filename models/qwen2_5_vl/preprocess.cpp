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

std::string shape_str(const at::Tensor& t) {
  std::string s = "[";
  for (int64_t i = 0; i < t.dim(); ++i) s += (i ? ", " : "") + std::to_string(t.size(i));
  return s + "]";
}

// Python's round(): nearest, ties to even (std::nearbyint under the default FE_TONEAREST mode).
int64_t py_round(double x) { return static_cast<int64_t>(std::nearbyint(x)); }

void check_frames(const at::Tensor& frames_THWC, const char* what) {
  if (!frames_THWC.defined() || frames_THWC.dim() != 4 || frames_THWC.size(3) != 3 ||
      frames_THWC.scalar_type() != at::kByte || frames_THWC.size(0) < 1) {
    throw std::invalid_argument(std::string(what) +
                                ": expected uint8 RGB frames [T>=1, H, W, 3], got " +
                                (frames_THWC.defined() ? std::string(c10::toString(frames_THWC.scalar_type())) + " " +
                                                             shape_str(frames_THWC)
                                                       : std::string("an undefined tensor")));
  }
}

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

at::Tensor resize_frames_bicubic_aa(const at::Tensor& frames_THWC, int64_t height, int64_t width,
                                    ResizeMethod method) {
  check_frames(frames_THWC, "resize_frames_bicubic_aa");
  if (height <= 0 || width <= 0) {
    throw std::invalid_argument("resize_frames_bicubic_aa: expected a positive target size, got " +
                                std::to_string(height) + "x" + std::to_string(width));
  }
  at::Tensor x_TCHW = frames_THWC.permute({0, 3, 1, 2}).contiguous();
  at::Tensor y_TCHW;
  if (method == ResizeMethod::PilUint8) {
    // uint8 input selects libtorch's PIL-derived separable fixed-point kernel.
    y_TCHW = at::_upsample_bicubic2d_aa(x_TCHW, {height, width}, /*align_corners=*/false, std::nullopt,
                                        std::nullopt);
  } else {
    // torchvision.transforms.v2.functional.resize_image for uint8 + BICUBIC: float32 ->
    // interpolate(antialias=True) -> clamp_(0, 255) -> round_() -> uint8.
    y_TCHW = at::_upsample_bicubic2d_aa(x_TCHW.to(at::kFloat), {height, width}, /*align_corners=*/false,
                                        std::nullopt, std::nullopt);
    y_TCHW = y_TCHW.clamp(0.0, 255.0).round().to(at::kByte);
  }
  return y_TCHW.permute({0, 2, 3, 1}).contiguous();
}

at::Tensor flatten_patches(const at::Tensor& frames_TCHW, int64_t patch_size,
                           int64_t temporal_patch_size, int64_t merge_size) {
  const int64_t side = patch_size * merge_size;
  const bool rank_ok = frames_TCHW.defined() && frames_TCHW.dim() == 4 && side > 0 && temporal_patch_size > 0;
  if (!rank_ok || frames_TCHW.size(0) % temporal_patch_size != 0 || frames_TCHW.size(2) % side != 0 ||
      frames_TCHW.size(3) % side != 0) {
    throw std::invalid_argument("flatten_patches: expected frames [T, C, H, W] with T a multiple of " +
                                std::to_string(temporal_patch_size) + " and H, W multiples of " +
                                std::to_string(side) + ", got " +
                                (frames_TCHW.defined() ? shape_str(frames_TCHW) : std::string("undefined")));
  }
  const int64_t T = frames_TCHW.size(0), C = frames_TCHW.size(1);
  const int64_t H = frames_TCHW.size(2), W = frames_TCHW.size(3);
  const int64_t gt = T / temporal_patch_size, gh = H / patch_size, gw = W / patch_size;
  // image_processing_qwen2_vl.py _preprocess: reshape(grid_t, tp, C, gh/m, m, p, gw/m, m, p),
  // transpose(0, 3, 6, 4, 7, 2, 1, 5, 8), reshape(grid_t * gh * gw, C * tp * p * p).
  at::Tensor p = frames_TCHW.reshape({gt, temporal_patch_size, C, gh / merge_size, merge_size, patch_size,
                                      gw / merge_size, merge_size, patch_size});
  p = p.permute({0, 3, 6, 4, 7, 2, 1, 5, 8});
  return p.reshape({gt * gh * gw, C * temporal_patch_size * patch_size * patch_size}).contiguous();
}

VideoPatches preprocess_video(const at::Tensor& frames_THWC, const PreprocessOptions& options) {
  check_frames(frames_THWC, "preprocess_video");
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
