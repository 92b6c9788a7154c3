// Qwen2.5-VL vision-tower weights: the name table, loading from a checkpoint with shape checks,
// and random initialisation for timing (library pevlm_qwen_vision).
//
// Names as in ../shared/reference/qwen2_5_vl.md, "Weight names": Hub files use `visual.*`,
// files saved by newer transformers `model.visual.*`; both are accepted.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <string>
#include <vector>

#include "models/qwen2_5_vl/config.h"
#include "models/safetensors/safetensors.h"

namespace pevlm::qwen2_5_vl {

// One vision block (Qwen2_5_VLVisionBlock). Linear weights are [out, in] (torch layout).
struct VisionBlockWeights {
  at::Tensor norm1_w, norm2_w;        // [D] RMSNorm weights
  at::Tensor qkv_w, qkv_b;            // [3D, D], [3D]
  at::Tensor proj_w, proj_b;          // [D, D], [D]
  at::Tensor gate_w, gate_b;          // [I, D], [I]
  at::Tensor up_w, up_b;              // [I, D], [I]
  at::Tensor down_w, down_b;          // [D, I], [D]
};

// The whole tower. All tensors share one dtype (the compute dtype) except the RMSNorm weights,
// which are kept in the same dtype too (transformers multiplies the cast-back normalised value by
// the weight in the model dtype).
struct VisionWeights {
  at::Tensor patch_w;                 // [D, C*tp*p*p] (Conv3d kernel viewed as a matrix)
  std::vector<VisionBlockWeights> blocks;
  at::Tensor merger_ln_w;             // [D]
  at::Tensor merger_fc1_w, merger_fc1_b;  // [4D, 4D], [4D]
  at::Tensor merger_fc2_w, merger_fc2_b;  // [out, 4D], [out]
  at::ScalarType dtype = at::kFloat;  // dtype of every tensor above
};

// One expected tensor: checkpoint-relative name (without the `visual.` prefix) and shape.
struct VisionTensorSpec {
  std::string name;            // e.g. "blocks.3.attn.qkv.weight"
  std::vector<int64_t> shape;  // expected shape in the checkpoint
};

// Every tensor of the tower for `config`, in load order.
std::vector<VisionTensorSpec> vision_tensor_specs(const VisionConfig& config);

// "visual." or "model.visual." depending on which the checkpoint holds (looks for
// patch_embed.proj.weight); throws std::runtime_error naming the checkpoint and both names.
std::string vision_prefix(const safetensors::Checkpoint& checkpoint);

// Loads the tower onto `device`, converting to `dtype` there (owning copies: the checkpoint may be
// closed after; see safetensors::to_device_tensor for how bytes reach an accelerator).
// Throws std::runtime_error naming the checkpoint, the tensor and the expected shape when a
// tensor is missing or has another shape, or when its dtype is not floating point.
VisionWeights load_vision_weights(const safetensors::Checkpoint& checkpoint, const VisionConfig& config,
                                  at::ScalarType dtype, const at::Device& device = at::kCPU);

// Random weights with the right shapes for timing and tests (normal * 0.02, norm weights 1,
// biases 0.01 * normal), generated in float32 with `seed` and converted to `dtype`.
VisionWeights random_vision_weights(const VisionConfig& config, at::ScalarType dtype, uint64_t seed = 0);

}  // namespace pevlm::qwen2_5_vl
