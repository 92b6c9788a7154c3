// Qwen3-VL vision-tower weights: the one name table (loader and tiny writer share it) and the loader
// (library pevlm_qwen3_vl_vision).
//
// Names as transformers 5.25 modeling_qwen3_vl.py registers them under Qwen3VLModel.visual
// (Qwen3VLVisionModel): patch_embed.proj (Conv3d with bias), pos_embed (nn.Embedding), blocks.N.{norm1,
// norm2 (LayerNorm with bias), attn.qkv, attn.proj, mlp.linear_fc1, mlp.linear_fc2}, merger.{norm,
// linear_fc1, linear_fc2} and deepstack_merger_list.J.{norm (over 4 x hidden), linear_fc1, linear_fc2}.
// The released checkpoints prefix them "model.visual."; "visual." is accepted too.
#pragma once

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "models/qwen3_vl/config.h"
#include "models/safetensors/safetensors.h"

namespace pevlm::qwen3_vl {

struct VisionTensorSpec {
  std::string name;            // without the "model.visual." prefix
  std::vector<int64_t> shape;
};

// One merger (the final one, or a DeepStack one): LayerNorm, Linear, GELU (exact), Linear.
struct MergerWeights {
  at::Tensor norm_w, norm_b;   // [hidden] (final) or [4 * hidden] (DeepStack: norm after the 2x2 shuffle)
  at::Tensor fc1_w, fc1_b;     // [4H, 4H]
  at::Tensor fc2_w, fc2_b;     // [out, 4H]
};

struct VisionBlockWeights {
  at::Tensor norm1_w, norm1_b, norm2_w, norm2_b;
  at::Tensor qkv_w, qkv_b, proj_w, proj_b;
  at::Tensor fc1_w, fc1_b, fc2_w, fc2_b;
};

struct VisionWeights {
  at::Tensor patch_w, patch_b;  // [D, C, tp, p, p], [D]
  at::Tensor pos_embed;         // [num_position_embeddings, D]
  std::vector<VisionBlockWeights> blocks;
  MergerWeights merger;
  std::vector<MergerWeights> deepstack;  // one per deepstack_visual_indexes entry, in that order
};

// Every tensor, in load order.
std::vector<VisionTensorSpec> vision_tensor_specs(const VisionConfig& config);

// "model.visual." or "visual." (whichever holds patch_embed.proj.weight); throws naming the checkpoint.
std::string vision_prefix(const safetensors::Checkpoint& checkpoint);

// Loads and shape-checks every tensor onto `device` in `dtype`. Throws std::runtime_error naming the
// tensor when it is absent or has another shape.
VisionWeights load_vision_weights(const safetensors::Checkpoint& checkpoint, const VisionConfig& config,
                                  at::ScalarType dtype, const at::Device& device);

}  // namespace pevlm::qwen3_vl
