// FastVID's LLaVA-Video signals (library pevlm_llava_video): each frame's global feature and each pooled grid
// token's saliency, from the SigLIP release's post-layernorm + attention-pooling head (models/siglip/pooling_head.h).
//
// Mirrors LunarShen/FastVID fastvid_llavavideo/LLaVA-NeXT/llava/model/llava_arch.py: encode_images (L219-223: the
// head runs on the tower's output, all layers but the last and no post-layernorm, before the projector) and
// get_attn_2dPool (L188-197: the head's attention [F, 1, g*g] viewed [F, 1, g, g], avg_pool2d(2), flattened --
// the reference accepts mm_spatial_pool_mode "average" only, as its eval script sets; the features are pooled the
// same way, so token i of a frame's pooled grid has saliency i).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

#include "models/siglip/pooling_head.h"
#include "models/video_lm/video_lm.h"

namespace pevlm::llava_video {

// features_TND [T, grid*grid, Dv]: the video tower's output for T frames. Returns saliency_N [T * floor(grid /
// stride)^2] (float32, frame-major, row-major in each pooled grid) and global_FG [T, Dv] (the head's output).
FastvidSignals fastvid_signals(const siglip::SiglipPoolingHead& head, const at::Tensor& features_TND, int64_t grid,
                               int64_t stride);

}  // namespace pevlm::llava_video
