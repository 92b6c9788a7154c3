// Token bookkeeping of the Qwen2.5-VL vision tower: window permutation, attention segment
// boundaries (cu_seqlens) and the 2-D rotary table (library pevlm_qwen_vision).
//
// Mirrors transformers 4.50 modeling_qwen2_5_vl.py, Qwen2_5_VisionTransformerPretrainedModel
// (get_window_index, rot_pos_emb, forward's cu_seqlens) and Qwen2_5_VisionRotaryEmbedding;
// facts in ../shared/reference/qwen2_5_vl.md, "Vision tower".
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

#include "models/qwen2_5_vl/preprocess.h"

namespace pevlm::qwen2_5_vl {

// get_window_index's result for a list of videos/images (patch grids).
struct WindowIndex {
  // [N / merge_unit] int64: merged-token permutation into window order (processor order ->
  // window order: window_tokens[i] = tokens[window_index[i]]).
  at::Tensor window_index;
  // Segment boundaries in patch units as get_window_index returns them: 0, then the cumulative
  // window sizes, including repeats for windows that are pure padding.
  std::vector<int64_t> cu_window_seqlens_raw;
  // After torch.unique_consecutive: what the window-attention blocks use.
  std::vector<int64_t> cu_window_seqlens;
};

// get_window_index: per grid, merged tokens (h/m x w/m per temporal step) are padded up to a
// multiple of `window_merged` per side — by window_merged - (n % window_merged), i.e. a whole
// empty window when already divisible, as transformers does — cut into window_merged^2 windows
// in raster order (per temporal step), pads dropped. window_merged = window_size / merge / patch.
// Throws std::invalid_argument for a grid whose h or w is not a multiple of merge_size.
WindowIndex vision_window_index(const std::vector<GridTHW>& grids, int64_t spatial_merge_size,
                                int64_t window_merged);

// Full-attention boundaries: one segment per temporal grid step (h*w patches each), over all
// grids: [0, h*w, 2*h*w, ...] (forward's repeat_interleave(h*w, t).cumsum, padded with 0).
std::vector<int64_t> vision_full_cu_seqlens(const std::vector<GridTHW>& grids);

// rot_pos_emb's patch coordinates in processor order: [N, 2] int64 rows (h, w), patches listed
// per 2x2 merge block in raster order (same order as the pixel rows), repeated per time step.
at::Tensor vision_rot_pos_ids(const std::vector<GridTHW>& grids, int64_t spatial_merge_size);

// rot_pos_emb: [N, head_dim / 2] float32 = cat(freqs(h), freqs(w)) with
// freqs(p) = p * inv_freq, inv_freq = 1 / theta^(arange(0, d, 2) / d), d = head_dim / 2
// (computed with the same float32 ops as Qwen2_5_VisionRotaryEmbedding). Processor order.
at::Tensor vision_rot_pos_emb(const std::vector<GridTHW>& grids, int64_t spatial_merge_size,
                              int64_t head_dim, double theta = 10000.0);

// Permutes rows of `x_ND` [N, ...] (processor order, N = merged tokens * merge_unit) into window
// order: groups of merge_unit rows move together (forward's reshape / [window_index] / reshape).
at::Tensor to_window_order(const at::Tensor& x_ND, const at::Tensor& window_index, int64_t merge_unit);

}  // namespace pevlm::qwen2_5_vl
