// Qwen3-VL vision tower forward with its DeepStack features (library pevlm_qwen3_vl_vision).
//
// Mirrors transformers 5.25 modeling_qwen3_vl.py Qwen3VLVisionModel.forward and its modules:
//   x = Conv3d patch embed (bias) + bilinearly resampled learned position table (vision_positions.h)
//   per block: x += proj(attn(LN1(x))) with 2-D rotary on q/k (rotate-half, float32, theta 1e4, the
//              head split into (row, col) quarters), full non-causal attention within each temporal
//              step (cu_seqlens = h * w per step; no windows); x += fc2(gelu_tanh(fc1(LN2(x))))
//   after block deepstack_visual_indexes[j]: DeepStack merger j (2x2 shuffle -> LayerNorm(4D) -> fc1 ->
//              GELU (erf) -> fc2)
//   final merger: LayerNorm(D) per patch -> 2x2 shuffle -> fc1 -> GELU (erf) -> fc2.
// Facts: ../shared/reference/more_models.md, "Qwen3-VL".
#pragma once

#include <ATen/core/Tensor.h>

#include <vector>

#include "models/qwen3_vl/config.h"
#include "models/qwen3_vl/vision_positions.h"
#include "models/qwen3_vl/weights_vision.h"

namespace pevlm::qwen3_vl {

// What the tower gives the LLM: the merged visual tokens and one DeepStack feature per
// deepstack_visual_indexes entry, each [tokens, out_hidden] in token order.
struct VisionOutput {
  at::Tensor embeds;
  std::vector<at::Tensor> deepstack;
};

// Intermediate tensors for tests (golden names of tests/data/golden/qwen3_vl_tiny/README.md).
struct VisionTrace {
  at::Tensor patch_embed;              // vision_patch_embed
  at::Tensor pos_embeds;               // vision_pos_embeds
  at::Tensor hidden_in;                // vision_pos_added
  std::vector<at::Tensor> block_out;   // vision_block{i}_out
};

class VisionTower {
 public:
  // The weights' dtype is the compute dtype. Throws std::invalid_argument on an inconsistent config.
  VisionTower(VisionConfig config, VisionWeights weights);
  // Weights that need no conversion may stay views of the mapped checkpoint: keep `checkpoint` open.
  static VisionTower load(const safetensors::Checkpoint& checkpoint, const VisionConfig& config, at::ScalarType dtype,
                          const at::Device& device = at::kCPU);

  // pixel_values [sum t*h*w, C*tp*p*p] (processor rows of each grid in order) -> the output on the
  // weights' device. Runs over pieces of whole temporal steps of at most `chunk_patches` patches
  // (everything is per patch or per step, so this is exact); 0 = one piece. `trace` (filled for the
  // whole input) needs one piece. Throws std::invalid_argument when rows and grids disagree.
  VisionOutput forward(const at::Tensor& pixel_values, const std::vector<Grid>& grids, VisionTrace* trace = nullptr,
                       int64_t chunk_patches = 65536) const;

  const VisionConfig& config() const { return config_; }
  at::ScalarType dtype() const { return weights_.patch_w.scalar_type(); }
  at::Device device() const { return weights_.patch_w.device(); }
  const VisionWeights& weights() const { return weights_; }

 private:
  VisionOutput forward_piece(const at::Tensor& pixels, const std::vector<Grid>& grids, VisionTrace* trace) const;
  at::Tensor block(int64_t n, const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin,
                   const std::vector<Grid>& grids) const;
  at::Tensor merge(const MergerWeights& m, const at::Tensor& x, bool norm_after_shuffle) const;

  VisionConfig config_;
  VisionWeights weights_;
};

}  // namespace pevlm::qwen3_vl
