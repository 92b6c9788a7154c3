// Where each vision patch sits, for the two position signals of the Qwen3-VL tower (library
// pevlm_qwen3_vl_vision): the learned position table resampled to the grid, and the 2-D rotary ids.
//
// Mirrors transformers 5.25 vision_utils.py get_vision_interpolation_indices_and_weights (mode
// "bilinear", align_corners=True, spatial_merge_size = merge: patches in 2x2-merge order, the same
// (h, w) taps for every temporal step) and get_vision_position_ids; 4.57's
// Qwen3VLVisionModel.fast_pos_embed_interpolate / rot_pos_emb compute the same values.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace pevlm::qwen3_vl {

// A video's patch grid: t temporal steps (2 frames each), h x w patches (multiples of the merge size).
struct Grid {
  int64_t t = 0, h = 0, w = 0;
  int64_t patches() const { return t * h * w; }
  bool operator==(const Grid&) const = default;
};

// Bilinear taps into the side x side table for every patch of `grid` in processor order:
// indices int64 [t*h*w, 4] (rows h0w0, h0w1, h1w0, h1w1 of row-major table ids) and float32 weights
// [t*h*w, 4]. Source coordinate of row r: r * (side - 1) / max(h - 1, 1) (align_corners), in float32
// as transformers computes it; taps floor and floor + 1 clamped to side - 1.
struct InterpolationTaps {
  at::Tensor indices;
  at::Tensor weights;
};
InterpolationTaps position_interpolation(const Grid& grid, int64_t side, int64_t merge);

// Rotary ids (row, column) of every patch in processor order: int64 [t*h*w, 2].
at::Tensor rotary_position_ids(const Grid& grid, int64_t merge);

}  // namespace pevlm::qwen3_vl
