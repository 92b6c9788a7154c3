// square_pixels (see video_lm.h): the SigLIP families' frame preprocessing.
//
// LLaVA-Video: LLaVA-NeXT's SigLipImageProcessor.preprocess (llava/model/multimodal_encoder/siglip_encoder.py,
// called by lmms-eval's llava_vid) runs transformers' image_transforms resize (PIL, BICUBIC) -> rescale(1/255)
// -> normalize(mean, std). LongVILA: VILA's process_image (llava/mm_utils.py, "resize" aspect mode) runs
// PIL Image.resize (default filter BICUBIC), then transformers' SiglipImageProcessor (its resize to the same
// size is PIL's copy) -> rescale -> normalize. Both therefore: Pillow's bicubic on uint8, then
// rescale: float32(float64(u8) * rescale_factor) and normalize: (x - float32(mean_c)) / float32(std_c) in
// float32 (numpy). The rescale factor is 1/255 in both (LLaVA-NeXT's default; SigLIP checkpoints'
// preprocessor_config.json 0.00392156862745098, the same double).
#include <ATen/ATen.h>

#include <stdexcept>
#include <string>

#include "attention/parallel_for.h"
#include "models/siglip/pil_resize.h"
#include "models/video_lm/video_lm.h"

namespace pevlm {
namespace {

void check_frames(const at::Tensor& frames_THWC, int64_t size) {
  const bool ok = frames_THWC.defined() && frames_THWC.dim() == 4 && frames_THWC.size(3) == 3 &&
                  frames_THWC.scalar_type() == at::kByte && frames_THWC.device().is_cpu() && frames_THWC.size(0) >= 1 &&
                  frames_THWC.size(1) >= 1 && frames_THWC.size(2) >= 1;
  if (!ok)
    throw std::invalid_argument("square_pixels: expected CPU uint8 RGB frames [T>=1, H>=1, W>=1, 3], got " +
                                (frames_THWC.defined() ? std::string(c10::toString(frames_THWC.scalar_type())) + " " +
                                                             c10::str(frames_THWC.sizes()) + " on " + frames_THWC.device().str()
                                                       : std::string("an undefined tensor")));
  if (size < 1) throw std::invalid_argument("square_pixels: expected a positive output size, got " + std::to_string(size));
}

// Pillow's resize of every frame to size x size (frames in parallel). Packed RGB rows are read in place
// whatever their stride (padded rows, crops); other layouts (planar, overlapping rows) are copied first.
at::Tensor pil_resize_frames(const at::Tensor& frames_THWC, int64_t size) {
  const int64_t W = frames_THWC.size(2);
  const bool packed_rows = frames_THWC.stride(3) == 1 && frames_THWC.stride(2) == 3 && frames_THWC.stride(1) >= 3 * W;
  const at::Tensor in = packed_rows ? frames_THWC : frames_THWC.contiguous();
  at::Tensor out = at::empty({in.size(0), size, size, 3}, at::kByte);
  const uint8_t* src = in.const_data_ptr<uint8_t>();
  uint8_t* dst = out.mutable_data_ptr<uint8_t>();
  const int64_t H = in.size(1), frame_stride = in.stride(0), row_stride = in.stride(1);
  at::parallel_for(0, in.size(0), 1, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t)
      siglip::pil_resize_bicubic({src + t * frame_stride, H, W, row_stride}, {dst + t * size * size * 3, size, size, size * 3});
  });
  return out;
}

}  // namespace

at::Tensor square_pixels(const at::Tensor& frames_THWC, int64_t size, const std::array<double, 3>& mean,
                         const std::array<double, 3>& std) {
  check_frames(frames_THWC, size);
  const bool square = frames_THWC.size(1) == size && frames_THWC.size(2) == size;
  const at::Tensor u8 = (square ? frames_THWC : pil_resize_frames(frames_THWC, size)).contiguous();
  // transformers rescale + normalize on each of the 256 levels, per channel (numpy's float32 arithmetic).
  float lut[3][256];
  for (int c = 0; c < 3; ++c)
    for (int u = 0; u < 256; ++u) {
      const float x = float(double(u) * (1.0 / 255.0));
      lut[c][u] = (x - float(mean[size_t(c)])) / float(std[size_t(c)]);
    }
  const int64_t T = u8.size(0), plane = size * size;
  at::Tensor out = at::empty({T, 3, size, size}, at::kFloat);
  const uint8_t* p = u8.const_data_ptr<uint8_t>();
  float* o = out.mutable_data_ptr<float>();
  at::parallel_for(0, T, 1, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t)
      for (int64_t i = 0; i < plane; ++i)
        for (int c = 0; c < 3; ++c) o[(t * 3 + c) * plane + i] = lut[c][p[(t * plane + i) * 3 + c]];
  });
  return out;
}

}  // namespace pevlm
