// FastVID's LLaVA signals (library pevlm_llava_video): each frame's global feature and each pooled grid token's
// saliency, from the SigLIP release's post-layernorm + attention-pooling head (models/siglip/pooling_head.h).
//
// Mirrors LunarShen/FastVID's two LLaVA trees, llava/model/llava_arch.py: encode_images (L219-223: the head runs on
// the tower's output, all layers but the last and no post-layernorm, before the projector) and get_attn_2dPool
// (L188-199: the head's attention [F, 1, g*g] viewed [F, 1, g, g] and pooled like the features, so token i of a
// frame's pooled grid has saliency i):
//  - fastvid_llavavideo (LLaVA-Video, newline grid): avg_pool2d(2) only -- its eval script sets "average";
//  - fastvid_llavaonevision (LLaVA-OneVision, newline one_token): F.interpolate(size=ceil(g/2), "bilinear") only.
// fastvid_reference() says which of the two a model configuration is, or why neither.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

#include "models/llava_video/config.h"
#include "models/siglip/pooling_head.h"
#include "models/video_lm/video_lm.h"

namespace pevlm::llava_video {

// "llava_video" for pool_mode average with newline grid, "llava_onevision" for bilinear with one_token; throws
// std::invalid_argument naming both for any other pair (neither reference runs it).
std::string fastvid_reference(PoolMode mode, NewlinePosition newline);

// features_TND [T, grid*grid, Dv]: the video tower's output for T frames. Returns saliency_N [T * side^2] (float32,
// frame-major, row-major in each pooled grid; side = floor(grid / stride) average, ceil bilinear), global_FG
// [T, Dv] (the head's output) and the reference variant.
FastvidSignals fastvid_signals(const siglip::SiglipPoolingHead& head, const at::Tensor& features_TND, int64_t grid,
                               int64_t stride, PoolMode mode, NewlinePosition newline);

}  // namespace pevlm::llava_video
