// FastVID's LLaVA saliency and global features; see fastvid_signals.h.
#include "models/llava_video/fastvid_signals.h"

#include <ATen/ATen.h>

#include <stdexcept>
#include <string>

namespace pevlm::llava_video {

std::string fastvid_reference(PoolMode mode, NewlinePosition newline) {
  if (mode == PoolMode::Average && newline == NewlinePosition::Grid) return "llava_video";
  if (mode == PoolMode::Bilinear && newline == NewlinePosition::OneToken) return "llava_onevision";
  throw std::invalid_argument(
      std::string("FastVID has no reference code for LLaVA pool_mode ") + pool_mode_name(mode) + " with newline " +
      newline_position_name(newline) +
      ": its LLaVA-Video code runs pool_mode average + newline grid, its LLaVA-OneVision code bilinear + one_token");
}

FastvidSignals fastvid_signals(const siglip::SiglipPoolingHead& head, const at::Tensor& features_TND, int64_t grid,
                               int64_t stride, PoolMode mode, NewlinePosition newline) {
  if (!features_TND.defined() || features_TND.dim() != 3 || features_TND.size(1) != grid * grid || stride < 1)
    throw std::invalid_argument("FastVID LLaVA signals: features must be [T, " + std::to_string(grid * grid) +
                                ", D] with a pooling stride >= 1");
  const std::string reference = fastvid_reference(mode, newline);
  const siglip::PoolingHeadOutput h = head.forward(features_TND);
  const at::Tensor w = h.weights_FN.view({features_TND.size(0), 1, grid, grid});
  // get_attn_2dPool: pooled as get_2dPool pools the features (pooling.cpp).
  const int64_t side = (grid + stride - 1) / stride;
  const at::Tensor pooled = reference == "llava_video"
                                ? at::avg_pool2d(w, {stride, stride}, {stride, stride})
                                : at::upsample_bilinear2d(w, {side, side}, /*align_corners=*/false);
  return {pooled.reshape({-1}).contiguous(), h.pooled_FD, reference};
}

}  // namespace pevlm::llava_video
