// SigLIP vision tower (shared by llava_video and longvila; library pevlm_siglip): config, weight
// table for every on-disk spelling, and the forward pass up to a chosen layer.
//
// Mirrors transformers modeling_siglip.py (SiglipVisionEmbeddings, SiglipEncoderLayer,
// SiglipAttention, SiglipMLP): patch embedding = Conv2d(C, hidden, patch, stride patch) with bias,
// flattened row-major + learned position embedding (no class token); each layer
//   h = x + out_proj(attn(layer_norm1(x))),  x' = h + fc2(act(fc1(layer_norm2(h))))
// (LayerNorm with bias, eps layer_norm_eps; attention non-causal, scale head_dim^-0.5, softmax in
// float32; act gelu_pytorch_tanh). The video models read hidden_states[k] (the output of layer k)
// before post_layernorm, so the post-layernorm and the pooling head are never loaded.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/safetensors/safetensors.h"

namespace pevlm::siglip {

// transformers SiglipVisionConfig fields.
struct SiglipConfig {
  int64_t hidden_size = 0;          // "hidden_size" (so400m: 1152)
  int64_t intermediate_size = 0;    // "intermediate_size" (4304)
  int64_t num_layers = 0;           // "num_hidden_layers" (27)
  int64_t num_heads = 0;            // "num_attention_heads" (16)
  int64_t num_channels = 3;         // "num_channels"
  int64_t image_size = 0;           // "image_size" (384; LongVILA 448)
  int64_t patch_size = 0;           // "patch_size" (14)
  double layer_norm_eps = 1e-6;     // "layer_norm_eps"
  std::string hidden_act = "gelu_pytorch_tanh";  // "hidden_act" (gelu_pytorch_tanh or gelu)

  int64_t head_dim() const { return num_heads > 0 ? hidden_size / num_heads : 0; }
  int64_t grid() const { return patch_size > 0 ? image_size / patch_size : 0; }  // patches per side
  int64_t num_patches() const { return grid() * grid(); }
};

// Reads a SiglipVisionConfig JSON object (model_type "siglip_vision_model" when given); omitted keys
// take SiglipVisionConfig's class defaults (siglip_config.cpp, transformers 5.25.0). `source` names
// it in errors (wrong type, hidden % heads != 0, image_size < patch_size, unknown hidden_act).
SiglipConfig parse_siglip_config(const nlohmann::json& j, const std::string& source);
nlohmann::json to_json(const SiglipConfig& config);
// google/siglip-so400m-patch14-384 (what LLaVA-Video's config names in mm_vision_tower).
SiglipConfig so400m_patch14_384();

// The tiny towers of the make-tiny-model writers: 56 px / patch 8 (an odd 7 x 7 grid, which exercises
// pooling rounding and zero padding), hidden 32, 4 heads, MLP 48, 3 layers.
SiglipConfig tiny_siglip();

// Layers a video model runs for a transformers-style select index: hidden_states[select] with
// hidden_states[0] = embeddings, so -1 -> all layers, -2 -> all but the last, k >= 0 -> k.
// Throws std::invalid_argument naming the values when out of range.
int64_t layers_for_select(int64_t num_layers, int64_t select_layer);

// One weight: name below the tower prefix (e.g. "encoder.layers.0.mlp.fc1.weight") and its shape.
struct WeightSpec {
  std::string name;
  std::vector<int64_t> shape;
};
// The tensors the first `layers` layers need, in load order (embeddings, then per layer).
std::vector<WeightSpec> siglip_weight_table(const SiglipConfig& config, int64_t layers);
// Same plus post_layernorm (written by the tiny-checkpoint writers so files look like real ones).
std::vector<WeightSpec> siglip_file_table(const SiglipConfig& config);

struct SiglipLayer {
  at::Tensor ln1_w, ln1_b, q_w, q_b, k_w, k_b, v_w, v_b, o_w, o_b, ln2_w, ln2_b, fc1_w, fc1_b, fc2_w, fc2_b;
};

class SiglipTower {
 public:
  // Loads the first `layers` layers from `checkpoint` under `prefix` (e.g.
  // "model.vision_tower.vision_tower."), accepting the tensors with or without the "vision_model."
  // level (transformers 4.x writes it, 5.x drops it). Throws std::runtime_error naming the
  // checkpoint, tensor, file and expected shape for a missing or mis-shaped tensor.
  static SiglipTower load(const safetensors::Checkpoint& checkpoint, const std::string& prefix, const SiglipConfig& config,
                          int64_t layers, at::ScalarType dtype, const at::Device& device);

  const SiglipConfig& config() const { return config_; }
  int64_t layers() const { return int64_t(layers_.size()); }
  // pixels [T, C, S, S] (S = image_size) -> hidden states after the loaded layers [T, grid^2, hidden]
  // in the compute dtype, frames processed `frame_chunk` at a time (row-wise, so exact).
  at::Tensor forward(const at::Tensor& pixels_TCSS, int64_t frame_chunk = 16) const;
  std::vector<at::Tensor> tensors() const;

 private:
  at::Tensor layer_forward(const SiglipLayer& l, const at::Tensor& x_TND) const;

  SiglipConfig config_;
  at::Tensor patch_w_, patch_b_, pos_ND_;
  std::vector<SiglipLayer> layers_;
  at::ScalarType dtype_ = at::kFloat;
  std::shared_ptr<const safetensors::Checkpoint> mapping_;  // keeps zero-copy views alive
};

}  // namespace pevlm::siglip
