// Qwen3-VL sampling and preprocessing; see preprocess.h.
#include "models/qwen3_vl/preprocess.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "models/vision_common/frames.h"

namespace pevlm::qwen3_vl {
namespace {

int64_t ceil_by(double x, int64_t f) { return int64_t(std::ceil(x / double(f))) * f; }
int64_t floor_by(double x, int64_t f) { return int64_t(std::floor(x / double(f))) * f; }
int64_t round_by(double x, int64_t f) { return int64_t(std::nearbyint(x / double(f))) * f; }  // Python round: half to even

}  // namespace

int64_t sample_frame_count(int64_t total, double video_fps, const SamplingOptions& o) {
  if (total < 2) throw std::invalid_argument("Qwen3-VL sampling: the video has " + std::to_string(total) + " frames; at least 2 are needed");
  if (!(video_fps > 0)) throw std::invalid_argument("Qwen3-VL sampling: video fps must be positive, got " + std::to_string(video_fps));
  const int64_t min_frames = ceil_by(double(o.min_frames), 2);
  const int64_t max_frames = floor_by(double(std::min(o.max_frames, total)), 2);
  double n = double(total) / video_fps * o.fps;
  n = std::min(std::min(std::max(n, double(min_frames)), double(max_frames)), double(total));
  const int64_t frames = floor_by(n, 2);
  if (frames < 2 || frames > total)
    throw std::invalid_argument("Qwen3-VL sampling: nframes " + std::to_string(frames) + " outside [2, " + std::to_string(total) + "]");
  return frames;
}

std::vector<int64_t> sample_frame_indices(int64_t total, double video_fps, const SamplingOptions& o) {
  const int64_t n = sample_frame_count(total, video_fps, o);
  at::Tensor idx = at::linspace(0, double(total - 1), n, at::kFloat).round().to(at::kLong);
  return std::vector<int64_t>(idx.data_ptr<int64_t>(), idx.data_ptr<int64_t>() + n);
}

FrameSize video_resize_target(int64_t height, int64_t width, int64_t nframes, const SamplingOptions& o,
                              double given_max_pixels) {
  if (height <= 0 || width <= 0 || nframes <= 0)
    throw std::invalid_argument("Qwen3-VL resize: frame size and count must be positive");
  const int64_t f = o.factor();
  const double min_pixels = double(o.min_tokens * f * f);
  double max_pixels = std::max(std::min(double(o.max_tokens * f * f), o.total_pixels / double(nframes) * 2),
                               double(int64_t(min_pixels * 1.05)));
  if (given_max_pixels > 0) max_pixels = std::min(given_max_pixels, max_pixels);
  if (double(std::max(height, width)) / double(std::min(height, width)) > 200)
    throw std::invalid_argument("Qwen3-VL resize: aspect ratio above 200");
  int64_t h = std::max(f, round_by(double(height), f)), w = std::max(f, round_by(double(width), f));
  if (double(h * w) > max_pixels) {
    const double beta = std::sqrt(double(height * width) / max_pixels);
    h = floor_by(double(height) / beta, f);
    w = floor_by(double(width) / beta, f);
  } else if (double(h * w) < min_pixels) {
    const double beta = std::sqrt(min_pixels / double(height * width));
    h = ceil_by(double(height) * beta, f);
    w = ceil_by(double(width) * beta, f);
  }
  return {h, w};
}

VideoPixels patchify_frames(const at::Tensor& frames, const SamplingOptions& o) {
  if (frames.dim() != 4 || frames.size(3) != 3 || frames.scalar_type() != at::kByte)
    throw std::invalid_argument("Qwen3-VL preprocessing: frames must be uint8 [T, H, W, 3], got " + c10::str(frames.sizes()));
  if (frames.size(1) % o.factor() != 0 || frames.size(2) % o.factor() != 0)
    throw std::invalid_argument("Qwen3-VL preprocessing: frame size " + std::to_string(frames.size(1)) + "x" +
                                std::to_string(frames.size(2)) + " is not a multiple of " + std::to_string(o.factor()));
  // rescale then normalise in float32 as the processor: x = float32(u8 / 255), (x - 0.5) / 0.5.
  at::Tensor x = (frames.to(at::kDouble) * (1.0 / 255.0)).to(at::kFloat).permute({0, 3, 1, 2});
  x = ((x - 0.5f) / 0.5f).contiguous();
  if (x.size(0) % 2) x = at::cat({x, x.narrow(0, x.size(0) - 1, 1)}, 0);
  VideoPixels out;
  out.pixel_values = vision_common::flatten_patches(x, o.patch_size, 2, o.merge_size);
  out.grid = {x.size(0) / 2, x.size(2) / o.patch_size, x.size(3) / o.patch_size};
  return out;
}

VideoPixels preprocess_frames(const at::Tensor& frames, const FrameSize& size, bool pil, const SamplingOptions& o) {
  if (frames.dim() != 4 || frames.size(3) != 3 || frames.scalar_type() != at::kByte)
    throw std::invalid_argument("Qwen3-VL preprocessing: frames must be uint8 [T, H, W, 3], got " + c10::str(frames.sizes()));
  at::Tensor resized = frames;
  if (frames.size(1) != size.height || frames.size(2) != size.width)
    resized = vision_common::resize_frames_bicubic_aa(frames, size.height, size.width,
                                                   pil ? vision_common::ResizeMethod::PilUint8
                                                       : vision_common::ResizeMethod::TorchvisionFloat);
  return patchify_frames(resized, o);
}

}  // namespace pevlm::qwen3_vl
