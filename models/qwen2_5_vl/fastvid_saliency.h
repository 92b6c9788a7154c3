// FastVID's token saliency from the Qwen2.5-VL vision tower (github LunarShen/FastVID a40a109,
// fastvid_qwen25vl/lmms-eval/lmms_eval/models/qwenvlutils/modeling_qwen2_5_vl.py):
// in the LAST vision block (Qwen2_5_VLVisionFlashAttention2.forward L190-203), per head and temporal step,
//   q_mean = mean over the step's patches of the rotated queries;  k_merge = mean of each merge unit's 4 rotated keys
//   saliency = softmax(q_mean . k_merge / sqrt(head_dim)) (float32, cast to the compute dtype), mean over heads
// computed on the block's input after norm1, in window order, then put back in token order (the merger's
// reverse_indices, L590-594): one value per merged token -- the reference's frame_attn_weights.
#pragma once

#include <ATen/core/Tensor.h>

#include <vector>

#include "models/qwen2_5_vl/preprocess.h"
#include "models/qwen2_5_vl/weights_vision.h"

namespace pevlm::qwen2_5_vl {

// x_window_ND: the last block's input (window order) of `grids`; cos/sin [N, head_dim] float32 in window order;
// window_index over the merged tokens. Returns [N / merge_unit] float32 in token order.
at::Tensor fastvid_saliency(const at::Tensor& x_window_ND, const VisionBlockWeights& last, const at::Tensor& cos_ND,
                            const at::Tensor& sin_ND, int64_t heads, double eps, const std::vector<GridTHW>& grids,
                            const at::Tensor& window_index, int64_t merge_unit);

}  // namespace pevlm::qwen2_5_vl
