// Pooling and newline placement; see pooling.h.
#include "models/llava_video/pooling.h"

#include <ATen/ATen.h>

#include <stdexcept>

namespace pevlm::llava_video {
namespace {

int64_t pooled_side(int64_t grid, PoolMode mode, int64_t stride) {
  return mode == PoolMode::Bilinear ? (grid + stride - 1) / stride : grid / stride;
}

}  // namespace

std::vector<int64_t> frame_token_counts(int64_t frames, int64_t grid, PoolMode mode, int64_t stride, NewlinePosition newline) {
  const int64_t s = pooled_side(grid, mode, stride);
  std::vector<int64_t> counts(size_t(frames), newline == NewlinePosition::Grid ? s * (s + 1) : s * s);
  if (newline == NewlinePosition::OneToken && frames > 0) counts.back() += 1;
  return counts;
}

PooledVideo pool_frames(const at::Tensor& feat_TND, int64_t grid, PoolMode mode, int64_t stride, NewlinePosition newline,
                        const at::Tensor& newline_D) {
  if (!feat_TND.defined() || feat_TND.dim() != 3 || feat_TND.size(1) != grid * grid)
    throw std::invalid_argument("LLaVA-Video pooling: features must be [T, " + std::to_string(grid * grid) + ", D], got " +
                                (feat_TND.defined() ? c10::str(feat_TND.sizes()) : "undefined"));
  const int64_t T = feat_TND.size(0), D = feat_TND.size(2), s = pooled_side(grid, mode, stride);
  at::Tensor x = feat_TND.view({T, grid, grid, D}).permute({0, 3, 1, 2}).contiguous();  // [T, D, g, g]
  if (mode == PoolMode::Average) x = at::avg_pool2d(x, {stride, stride});
  else if (mode == PoolMode::Max) x = at::max_pool2d(x, {stride, stride});
  else x = at::upsample_bilinear2d(x, {s, s}, /*align_corners=*/false);
  x = x.permute({0, 2, 3, 1});  // [T, s, s, D]
  const at::Tensor nl = newline_D.to(x.device(), x.scalar_type());
  if (newline == NewlinePosition::Grid) {
    // add_token_per_grid: each pooled row of each frame followed by image_newline.
    x = at::cat({x, nl.view({1, 1, 1, D}).expand({T, s, 1, D})}, 2).reshape({T * s * (s + 1), D});
  } else {
    x = x.reshape({T * s * s, D});
    if (newline == NewlinePosition::OneToken) x = at::cat({x, nl.view({1, D})}, 0);
  }
  return {x, frame_token_counts(T, grid, mode, stride, newline)};
}

}  // namespace pevlm::llava_video
