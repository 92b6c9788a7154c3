// Frame resampling and patch flattening; see frames.h.
// Compare transformers 4.50 models/qwen2_vl/image_processing_qwen2_vl.py (_preprocess) and
// torchvision.transforms.v2.functional.resize_image.
#include "models/vision_common/frames.h"

#include <ATen/ATen.h>

#include <stdexcept>
#include <string>

namespace pevlm::vision_common {
namespace {

std::string shape_str(const at::Tensor& t) {
  std::string s = "[";
  for (int64_t i = 0; i < t.dim(); ++i) s += (i ? ", " : "") + std::to_string(t.size(i));
  return s + "]";
}

}  // namespace

void check_rgb_frames(const at::Tensor& frames_THWC, const char* what) {
  if (!frames_THWC.defined() || frames_THWC.dim() != 4 || frames_THWC.size(3) != 3 ||
      frames_THWC.scalar_type() != at::kByte || frames_THWC.size(0) < 1) {
    throw std::invalid_argument(std::string(what) +
                                ": expected uint8 RGB frames [T>=1, H, W, 3], got " +
                                (frames_THWC.defined() ? std::string(c10::toString(frames_THWC.scalar_type())) + " " +
                                                             shape_str(frames_THWC)
                                                       : std::string("an undefined tensor")));
  }
}

at::Tensor resize_frames_bicubic_aa(const at::Tensor& frames_THWC, int64_t height, int64_t width,
                                    ResizeMethod method) {
  check_rgb_frames(frames_THWC, "resize_frames_bicubic_aa");
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

}  // namespace pevlm::vision_common
