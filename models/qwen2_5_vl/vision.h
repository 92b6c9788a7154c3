// Qwen2.5-VL vision tower forward (library pevlm_qwen_vision): patch embedding, window reorder,
// window / full-attention blocks with 2-D rotary, patch merger, reorder back. CPU, libtorch.
//
// Mirrors transformers 4.50 modeling_qwen2_5_vl.py, Qwen2_5_VisionTransformerPretrainedModel
// .forward and its modules (Qwen2_5_VisionPatchEmbed, Qwen2_5_VLVisionBlock,
// Qwen2_5_VLVisionSdpaAttention, Qwen2RMSNorm, Qwen2_5_VLPatchMerger); facts in
// ../shared/reference/qwen2_5_vl.md, "Vision tower".
//
// Precision: every tensor of the residual stream and every matmul run in the compute dtype
// (the weights' dtype); RMSNorm statistics and the rotary rotation are computed in float32 and
// cast back, attention softmax is done by at::scaled_dot_product_attention (float accumulation),
// exactly where transformers does so for a bf16 model.
#pragma once

#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "models/qwen2_5_vl/config.h"
#include "models/qwen2_5_vl/preprocess.h"
#include "models/qwen2_5_vl/weights_vision.h"

namespace pevlm::qwen2_5_vl {

// Intermediate tensors of one forward, for tests and debugging (golden tensor names in
// ../shared/golden/qwen2_5_vl_tiny/README.md).
struct VisionTrace {
  at::Tensor patch_embed;              // [N, D] processor order (vision_patch_embed)
  std::vector<at::Tensor> block_out;   // depth x [N, D] window order (vision_block{i}_out)
  at::Tensor merger_out_window_order;  // [N/4, out] (vision_merger_out_window_order)
};

// The compute dtype a checkpoint calls for: float32 for "float32"/"fp32" weights, bfloat16
// otherwise (the released models' dtype). An explicit choice always overrides this.
// Note: on CPUs without native bf16 GEMM (no AVX512-BF16/AMX) libtorch's bf16 matmul is several
// times slower than fp32 (measured 4x on an AVX2 EPYC); choose at::kFloat there when speed matters.
at::ScalarType default_vision_dtype(const std::string& torch_dtype);

class VisionTower {
 public:
  // Takes the weights as they are (their dtype is the compute dtype). Throws
  // std::invalid_argument when the config is inconsistent (head_dim, window size, merge size).
  VisionTower(VisionConfig config, VisionWeights weights);

  // Loads `model.safetensors`-style weights (visual.* or model.visual.*) from `checkpoint` onto
  // `device`, converted to `dtype` there.
  static VisionTower load(const safetensors::Checkpoint& checkpoint, const VisionConfig& config,
                          at::ScalarType dtype, const at::Device& device = at::kCPU);

  // pixel_values [sum of t*h*w, C*tp*p*p] (preprocess_video rows of every grid, in order; any
  // device) -> visual embeddings [sum of t*h*w / merge^2, out_hidden_size] in the compute dtype on the
  // weights' device, in token order (the order of the <|video_pad|> tokens). Fills `trace` when given.
  // Windows and full-attention segments never cross a temporal grid step (cu_seqlens per step), so
  // the tower runs over pieces of whole steps of at most `chunk_patches` patches (~400k patches of a
  // 768-frame video would need tens of GB at once); exact, not an approximation. 0 = one piece.
  // Throws std::invalid_argument when the rows do not match the grids or the width is wrong.
  // `fastvid_saliency`, when given, receives FastVID's per-merged-token saliency of the last block
  // (fastvid_saliency.h), [visual tokens] float32 in token order.
  at::Tensor forward(const at::Tensor& pixel_values, const std::vector<GridTHW>& grids,
                     VisionTrace* trace = nullptr, int64_t chunk_patches = 65536,
                     at::Tensor* fastvid_saliency = nullptr) const;

  const VisionConfig& config() const { return config_; }
  at::ScalarType dtype() const { return weights_.dtype; }
  at::Device device() const { return weights_.patch_w.device(); }
  // Every weight tensor (for placement checks).
  std::vector<at::Tensor> tensors() const;

 private:
  // forward() of one piece (whole temporal steps).
  at::Tensor forward_piece(const at::Tensor& pixel_values, const std::vector<GridTHW>& grids, VisionTrace* trace,
                           at::Tensor* fastvid_saliency) const;

  VisionConfig config_;
  VisionWeights weights_;
};

// Building blocks (exposed for tests).

// `grids` cut into pieces of whole temporal steps, each of at most max_patches patches (a single
// step larger than that is a piece of its own); max_patches <= 0 keeps everything in one piece.
std::vector<std::vector<GridTHW>> split_grids_by_steps(const std::vector<GridTHW>& grids, int64_t max_patches);

// Qwen2RMSNorm: w * to(input dtype)(x_f32 * rsqrt(mean(x_f32^2) + eps)).
at::Tensor vision_rms_norm(const at::Tensor& x_ND, const at::Tensor& weight_D, double eps);

// Non-causal multi-head attention inside each segment [cu[i], cu[i+1]) of q/k/v [N, heads, hd];
// consecutive segments of equal length are batched into one scaled_dot_product_attention call.
// Returns [N, heads, hd].
at::Tensor segment_attention(const at::Tensor& q_NHD, const at::Tensor& k_NHD, const at::Tensor& v_NHD,
                             const std::vector<int64_t>& cu_seqlens);

}  // namespace pevlm::qwen2_5_vl
