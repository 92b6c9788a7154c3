// LLaVA-Video's per-frame token pooling and newline placement (library pevlm_llava_video).
//
// Mirrors LLaVA-NeXT llava/model/llava_arch.py: get_2dPool (features [T, g*g, D] viewed as
// [T, D, g, g]; average -> avg_pool2d(stride) = floor(g/stride) per side, max -> max_pool2d,
// bilinear -> F.interpolate(size=ceil(g/stride), mode="bilinear", align_corners=False)), then
// mm_newline_position: "grid" = add_token_per_grid (image_newline after every pooled row of every
// frame), "one_token" = one image_newline after all frames (transformers' LlavaOnevision video path),
// "no_token" = none. The projector runs before the pooling (encode_multimodals).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "models/llava_video/config.h"

namespace pevlm::llava_video {

struct PooledVideo {
  at::Tensor tokens_ND;               // [N, D] in prompt order
  std::vector<int64_t> frame_tokens;  // tokens of each frame (its rows + their newlines; one_token: the last frame holds it)
};

// feat_TND [T, grid*grid, D] (projected), newline_D [D].
PooledVideo pool_frames(const at::Tensor& feat_TND, int64_t grid, PoolMode mode, int64_t stride, NewlinePosition newline,
                        const at::Tensor& newline_D);

// Token counts without computing: per frame, for T frames (grid 27 average/grid: 182 each).
std::vector<int64_t> frame_token_counts(int64_t frames, int64_t grid, PoolMode mode, int64_t stride, NewlinePosition newline);

}  // namespace pevlm::llava_video
