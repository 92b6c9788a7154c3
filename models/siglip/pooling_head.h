// SigLIP's post-layernorm and attention-pooling head, loaded from a SigLIP release folder (library pevlm_siglip).
//
// FastVID's LLaVA-Video code (LunarShen/FastVID fastvid_llavavideo/.../multimodal_encoder/siglip_encoder.py
// SigLipVisionAbstract, built from the checkpoint's mm_vision_tower, google/siglip-so400m-patch14-384) runs the
// release's vision_model.post_layernorm and vision_model.head on the video tower's output: the head's pooled output
// is each frame's global feature and its attention weights (nn.MultiheadAttention's default: averaged over
// heads) each patch's saliency. LLaVA-Video checkpoints drop the head, so it comes from the release folder.
//
// The head mirrors transformers modeling_siglip.py SiglipMultiheadAttentionPoolingHead (= the reference's
// SigLipMultiheadAttentionPoolingHead, L459-480): a learned probe [1, 1, D] attends to the tokens through
// torch.nn.MultiheadAttention (in_proj q/k/v, q scaled by head_dim^-0.5, softmax over the tokens, out_proj), then
// h + fc2(act(fc1(layernorm(h)))).
#pragma once

#include <ATen/core/Tensor.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/safetensors/safetensors.h"
#include "models/siglip/siglip.h"

namespace pevlm::siglip {

struct PoolingHeadOutput {
  at::Tensor pooled_FD;   // [F, D] float32: the head's output per frame
  at::Tensor weights_FN;  // [F, N] float32: the probe's attention to each token, averaged over heads
};

// The head's config from a release folder's config.json: model_type "siglip" (SiglipModel, as the hub's so400m
// folder: its "vision_config", omitted keys at SiglipVisionConfig's defaults) or "siglip_vision_model". Throws
// std::runtime_error naming the file and key for another model_type or vision_use_head false.
SiglipConfig read_release_vision_config(const std::filesystem::path& dir);

// The tensors load() reads, under the "vision_model." level: post_layernorm.{weight,bias}, head.probe,
// head.attention.{in_proj_weight,in_proj_bias,out_proj.weight,out_proj.bias}, head.layernorm.*, head.mlp.fc{1,2}.*.
std::vector<WeightSpec> pooling_head_weight_table(const SiglipConfig& config);

class SiglipPoolingHead {
 public:
  // Reads `dir` (config.json + safetensors, tensors with or without the "vision_model." level). Errors name the
  // folder, file and tensor with its expected shape. Weights are kept in float32 on `device`.
  static SiglipPoolingHead load(const std::filesystem::path& dir, const at::Device& device);

  const SiglipConfig& config() const { return config_; }
  const std::string& source() const { return source_; }
  // hidden_FND [F, N, D] (any float dtype) -> post_layernorm, then the head, in float32. Frames are processed
  // `frame_chunk` at a time (frames are independent: equal up to the GEMMs' blocking). Throws std::invalid_argument naming the
  // shapes when D differs from the head's hidden size.
  PoolingHeadOutput forward(const at::Tensor& hidden_FND, int64_t frame_chunk = 16) const;
  std::vector<at::Tensor> tensors() const;
  nlohmann::json describe() const;

 private:
  PoolingHeadOutput forward_chunk(const at::Tensor& x_FND) const;

  SiglipConfig config_;
  std::string source_;
  at::Tensor post_ln_w_, post_ln_b_, probe_D_, in_w_, in_b_, out_w_, out_b_, ln_w_, ln_b_, fc1_w_, fc1_b_, fc2_w_, fc2_b_;
};

}  // namespace pevlm::siglip
