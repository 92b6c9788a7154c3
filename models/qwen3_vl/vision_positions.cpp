// Vision patch positions; see vision_positions.h.
#include "models/qwen3_vl/vision_positions.h"

#include <ATen/ATen.h>

#include <stdexcept>
#include <string>

namespace pevlm::qwen3_vl {
namespace {

void check(const Grid& g, int64_t merge) {
  if (g.t <= 0 || g.h <= 0 || g.w <= 0 || merge <= 0 || g.h % merge != 0 || g.w % merge != 0)
    throw std::invalid_argument("vision grid (" + std::to_string(g.t) + ", " + std::to_string(g.h) + ", " +
                                std::to_string(g.w) + ") must be positive with h and w multiples of the merge size " +
                                std::to_string(merge));
}

// (row, col) of each position within one frame, in 2x2-merge order (block row, block col, in row, in col).
std::pair<at::Tensor, at::Tensor> merge_order_rows_cols(const Grid& g, int64_t merge) {
  at::Tensor within = at::arange(g.h * g.w, at::kLong);
  const int64_t blocks_w = g.w / merge;
  at::Tensor in_col = within.remainder(merge);
  at::Tensor in_row = within.div(merge, "floor").remainder(merge);
  at::Tensor block_col = within.div(merge * merge, "floor").remainder(blocks_w);
  at::Tensor block_row = within.div(merge * merge * blocks_w, "floor");
  return {block_row * merge + in_row, block_col * merge + in_col};
}

// One axis: taps (floor, floor + 1 clamped) and weights (1 - frac, frac) as
// _interpolation_axis_taps_weights computes them (float32, align_corners).
std::pair<at::Tensor, at::Tensor> axis_taps(const at::Tensor& index, int64_t size, int64_t side) {
  at::Tensor src = index.to(at::kFloat) * double(side - 1) / double(std::max<int64_t>(size - 1, 1));
  at::Tensor floor = at::floor(src);
  at::Tensor offsets = at::arange(0, 2, at::kLong);
  at::Tensor taps = (floor.to(at::kLong).unsqueeze(1) + offsets).clamp(0, side - 1);
  at::Tensor distance = (src.unsqueeze(1) - floor.unsqueeze(1) - offsets).abs();
  return {taps, (1 - distance).clamp_min(0)};
}

}  // namespace

InterpolationTaps position_interpolation(const Grid& g, int64_t side, int64_t merge) {
  check(g, merge);
  if (side < 1) throw std::invalid_argument("position table side must be >= 1, got " + std::to_string(side));
  auto [row, col] = merge_order_rows_cols(g, merge);
  auto [h_taps, h_w] = axis_taps(row, g.h, side);
  auto [w_taps, w_w] = axis_taps(col, g.w, side);
  at::Tensor indices = (h_taps.unsqueeze(2) * side + w_taps.unsqueeze(1)).reshape({-1, 4});
  at::Tensor weights = (h_w.unsqueeze(2) * w_w.unsqueeze(1)).reshape({-1, 4});
  return {indices.repeat({g.t, 1}), weights.repeat({g.t, 1})};
}

at::Tensor rotary_position_ids(const Grid& g, int64_t merge) {
  check(g, merge);
  auto [row, col] = merge_order_rows_cols(g, merge);
  return at::stack({row, col}, 1).repeat({g.t, 1});
}

}  // namespace pevlm::qwen3_vl
