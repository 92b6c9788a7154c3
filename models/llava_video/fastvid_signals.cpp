// FastVID's LLaVA-Video saliency and global features; see fastvid_signals.h.
#include "models/llava_video/fastvid_signals.h"

#include <ATen/ATen.h>

#include <stdexcept>
#include <string>

namespace pevlm::llava_video {

FastvidSignals fastvid_signals(const siglip::SiglipPoolingHead& head, const at::Tensor& features_TND, int64_t grid,
                               int64_t stride) {
  if (!features_TND.defined() || features_TND.dim() != 3 || features_TND.size(1) != grid * grid || stride < 1)
    throw std::invalid_argument("FastVID LLaVA-Video signals: features must be [T, " + std::to_string(grid * grid) +
                                ", D] with a pooling stride >= 1");
  const siglip::PoolingHeadOutput h = head.forward(features_TND);
  const int64_t T = features_TND.size(0);
  // get_attn_2dPool: avg_pool2d(kernel = stride = 2), floor per side, as get_2dPool pools the features.
  const at::Tensor pooled = at::avg_pool2d(h.weights_FN.view({T, 1, grid, grid}), {stride, stride}, {stride, stride});
  return {pooled.reshape({-1}).contiguous(), h.pooled_FD};
}

}  // namespace pevlm::llava_video
