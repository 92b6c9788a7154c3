// SigLIP tower loading and forward; see siglip.h.
#include "models/siglip/siglip.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <map>
#include <stdexcept>

#include "models/safetensors/torch_tensor.h"

namespace pevlm::siglip {
namespace {

// "vision_model." under the prefix (transformers 4.x and the hub files) or not (5.x save_pretrained).
std::string detect_level(const safetensors::Checkpoint& ck, const std::string& prefix) {
  const std::string probe = "embeddings.patch_embedding.weight";
  if (ck.has(prefix + "vision_model." + probe)) return prefix + "vision_model.";
  if (ck.has(prefix + probe)) return prefix;
  throw std::runtime_error("checkpoint " + ck.path() + ": no SigLIP vision tower (expected " + prefix + "vision_model." +
                           probe + " or " + prefix + probe + ")");
}

}  // namespace

SiglipTower SiglipTower::load(const safetensors::Checkpoint& ck, const std::string& prefix, const SiglipConfig& config,
                              int64_t layers, at::ScalarType dtype, const at::Device& device) {
  if (layers < 1 || layers > config.num_layers)
    throw std::invalid_argument("SigLIP: " + std::to_string(layers) + " layers requested, the config has " +
                                std::to_string(config.num_layers));
  const std::string base = detect_level(ck, prefix);
  std::map<std::string, at::Tensor> t;
  for (const WeightSpec& spec : siglip_weight_table(config, layers))
    t[spec.name] = safetensors::load_checked(ck, base + spec.name, spec.shape, device, dtype, "the SigLIP vision config");
  SiglipTower tower;
  tower.config_ = config;
  tower.dtype_ = dtype;
  tower.patch_w_ = t.at("embeddings.patch_embedding.weight");
  tower.patch_b_ = t.at("embeddings.patch_embedding.bias");
  tower.pos_ND_ = t.at("embeddings.position_embedding.weight");
  for (int64_t n = 0; n < layers; ++n) {
    const std::string p = "encoder.layers." + std::to_string(n) + ".";
    auto g = [&](const std::string& leaf) { return t.at(p + leaf); };
    tower.layers_.push_back({g("layer_norm1.weight"), g("layer_norm1.bias"), g("self_attn.q_proj.weight"),
                             g("self_attn.q_proj.bias"), g("self_attn.k_proj.weight"), g("self_attn.k_proj.bias"),
                             g("self_attn.v_proj.weight"), g("self_attn.v_proj.bias"), g("self_attn.out_proj.weight"),
                             g("self_attn.out_proj.bias"), g("layer_norm2.weight"), g("layer_norm2.bias"),
                             g("mlp.fc1.weight"), g("mlp.fc1.bias"), g("mlp.fc2.weight"), g("mlp.fc2.bias")});
  }
  tower.mapping_ = std::make_shared<const safetensors::Checkpoint>(ck);
  return tower;
}

at::Tensor SiglipTower::layer_forward(const SiglipLayer& l, const at::Tensor& x_TND) const {
  const int64_t T = x_TND.size(0), N = x_TND.size(1), H = config_.num_heads, D = config_.head_dim();
  const std::vector<int64_t> norm_shape{config_.hidden_size};
  at::Tensor h = at::layer_norm(x_TND, norm_shape, l.ln1_w, l.ln1_b, config_.layer_norm_eps);
  auto heads = [&](const at::Tensor& w, const at::Tensor& b) {
    return at::linear(h, w, b).view({T, N, H, D}).transpose(1, 2);  // [T, H, N, D]
  };
  // Non-causal softmax attention, scale D^-0.5 (SiglipAttention; SDPA computes the same product).
  at::Tensor o_THND = at::scaled_dot_product_attention(heads(l.q_w, l.q_b), heads(l.k_w, l.k_b), heads(l.v_w, l.v_b));
  at::Tensor x = x_TND + at::linear(o_THND.transpose(1, 2).reshape({T, N, H * D}), l.o_w, l.o_b);
  h = at::layer_norm(x, norm_shape, l.ln2_w, l.ln2_b, config_.layer_norm_eps);
  h = at::linear(h, l.fc1_w, l.fc1_b);
  h = config_.hidden_act == "gelu" ? at::gelu(h) : at::gelu(h, "tanh");
  return x + at::linear(h, l.fc2_w, l.fc2_b);
}

at::Tensor SiglipTower::forward(const at::Tensor& px, int64_t frame_chunk) const {
  const int64_t S = config_.image_size;
  if (!px.defined() || px.dim() != 4 || px.size(1) != config_.num_channels || px.size(2) != S || px.size(3) != S)
    throw std::invalid_argument("SigLIP: pixels must be [T, " + std::to_string(config_.num_channels) + ", " +
                                std::to_string(S) + ", " + std::to_string(S) + "], got " +
                                (px.defined() ? c10::str(px.sizes()) : "undefined"));
  std::vector<at::Tensor> out;
  for (int64_t f = 0; f < px.size(0); f += std::max<int64_t>(1, frame_chunk)) {
    const int64_t n = std::min(std::max<int64_t>(1, frame_chunk), px.size(0) - f);
    at::Tensor x = px.narrow(0, f, n).to(patch_w_.device(), dtype_);
    // SiglipVisionEmbeddings: conv patches -> [T, hidden, g, g] -> [T, g*g, hidden] + positions.
    x = at::conv2d(x, patch_w_, patch_b_, {config_.patch_size, config_.patch_size});
    x = x.flatten(2).transpose(1, 2) + pos_ND_;
    for (const SiglipLayer& l : layers_) x = layer_forward(l, x);
    out.push_back(x);
  }
  return out.size() == 1 ? out[0] : at::cat(out);
}

std::vector<at::Tensor> SiglipTower::tensors() const {
  std::vector<at::Tensor> t{patch_w_, patch_b_, pos_ND_};
  for (const SiglipLayer& l : layers_)
    for (const at::Tensor& w : {l.ln1_w, l.ln1_b, l.q_w, l.q_b, l.k_w, l.k_b, l.v_w, l.v_b, l.o_w, l.o_b, l.ln2_w, l.ln2_b,
                                l.fc1_w, l.fc1_b, l.fc2_w, l.fc2_b})
      t.push_back(w);
  return t;
}

}  // namespace pevlm::siglip
