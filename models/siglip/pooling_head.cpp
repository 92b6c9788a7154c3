// SigLIP post-layernorm + attention-pooling head from a release folder; see pooling_head.h.
#include "models/siglip/pooling_head.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "models/llm/config_json.h"
#include "models/safetensors/torch_tensor.h"

namespace pevlm::siglip {
namespace {

// "vision_model." (SiglipModel / SiglipVisionModel files, the hub's) or nothing (a bare head writer).
std::string detect_level(const safetensors::Checkpoint& ck) {
  if (ck.has("vision_model.head.probe")) return "vision_model.";
  if (ck.has("head.probe")) return "";
  throw std::runtime_error("checkpoint " + ck.path() +
                           ": no SigLIP attention-pooling head (expected vision_model.head.probe or head.probe; "
                           "FastVID needs the SigLIP release that mm_vision_tower names, e.g. "
                           "google/siglip-so400m-patch14-384, whose vision model keeps its head)");
}

}  // namespace

SiglipConfig read_release_vision_config(const std::filesystem::path& dir) {
  std::string source;
  const nlohmann::json doc = config_json::parse_json(config_json::read_text_file(dir.string(), "config.json", source), source);
  const std::filesystem::path file = source;
  const std::string type = doc.value("model_type", std::string());
  nlohmann::json vision;
  if (type == "siglip") {
    // SiglipConfig: an omitted vision_config is SiglipVisionConfig() (transformers configuration_siglip.py).
    vision = doc.contains("vision_config") && !doc["vision_config"].is_null() ? doc["vision_config"] : nlohmann::json::object();
  } else if (type == "siglip_vision_model") {
    vision = doc;
  } else {
    throw std::runtime_error(file.string() + ": model_type is '" + type +
                             "', expected \"siglip\" (SiglipModel, as google/siglip-so400m-patch14-384) or "
                             "\"siglip_vision_model\"");
  }
  const std::string where = file.string() + (type == "siglip" ? " vision_config" : "");
  if (vision.contains("vision_use_head") && !(vision["vision_use_head"].is_boolean() && vision["vision_use_head"].get<bool>()))
    throw std::runtime_error(where + ": vision_use_head is " + vision["vision_use_head"].dump() +
                             ", expected true (the attention-pooling head is what FastVID reads)");
  return parse_siglip_config(vision, where);
}

std::vector<WeightSpec> pooling_head_weight_table(const SiglipConfig& c) {
  const int64_t d = c.hidden_size, i = c.intermediate_size;
  return {{"post_layernorm.weight", {d}},
          {"post_layernorm.bias", {d}},
          {"head.probe", {1, 1, d}},
          {"head.attention.in_proj_weight", {3 * d, d}},
          {"head.attention.in_proj_bias", {3 * d}},
          {"head.attention.out_proj.weight", {d, d}},
          {"head.attention.out_proj.bias", {d}},
          {"head.layernorm.weight", {d}},
          {"head.layernorm.bias", {d}},
          {"head.mlp.fc1.weight", {i, d}},
          {"head.mlp.fc1.bias", {i}},
          {"head.mlp.fc2.weight", {d, i}},
          {"head.mlp.fc2.bias", {d}}};
}

SiglipPoolingHead SiglipPoolingHead::load(const std::filesystem::path& dir, const at::Device& device) {
  if (!std::filesystem::is_directory(dir))
    throw std::runtime_error("SigLIP release folder " + dir.string() + " does not exist (expected config.json + *.safetensors)");
  SiglipPoolingHead h;
  h.config_ = read_release_vision_config(dir);
  h.source_ = dir.string();
  const auto ck = safetensors::Checkpoint::open(dir.string());
  const std::string base = detect_level(ck);
  std::map<std::string, at::Tensor> t;
  for (const WeightSpec& s : pooling_head_weight_table(h.config_))
    t[s.name] = safetensors::load_checked(ck, base + s.name, s.shape, device, at::kFloat, "the release's vision_config")
                    .clone();  // owned: the folder's mapping is not kept
  h.post_ln_w_ = t.at("post_layernorm.weight");
  h.post_ln_b_ = t.at("post_layernorm.bias");
  h.probe_D_ = t.at("head.probe").reshape({h.config_.hidden_size});
  h.in_w_ = t.at("head.attention.in_proj_weight");
  h.in_b_ = t.at("head.attention.in_proj_bias");
  h.out_w_ = t.at("head.attention.out_proj.weight");
  h.out_b_ = t.at("head.attention.out_proj.bias");
  h.ln_w_ = t.at("head.layernorm.weight");
  h.ln_b_ = t.at("head.layernorm.bias");
  h.fc1_w_ = t.at("head.mlp.fc1.weight");
  h.fc1_b_ = t.at("head.mlp.fc1.bias");
  h.fc2_w_ = t.at("head.mlp.fc2.weight");
  h.fc2_b_ = t.at("head.mlp.fc2.bias");
  return h;
}

PoolingHeadOutput SiglipPoolingHead::forward_chunk(const at::Tensor& x_in) const {
  const int64_t F = x_in.size(0), N = x_in.size(1), D = config_.hidden_size, H = config_.num_heads, hd = config_.head_dim();
  const std::vector<int64_t> norm{D};
  const at::Tensor x = at::layer_norm(x_in, norm, post_ln_w_, post_ln_b_, config_.layer_norm_eps);  // post_layernorm
  // nn.MultiheadAttention (torch/nn/functional.py multi_head_attention_forward): in_proj rows [q; k; v], q scaled
  // by head_dim^-0.5 before the product, softmax over the tokens, weights averaged over heads (need_weights=True).
  const at::Tensor q_Hd = (at::linear(probe_D_, in_w_.narrow(0, 0, D), in_b_.narrow(0, 0, D)) /
                           std::sqrt(double(hd))).view({H, hd});
  const at::Tensor k_FNHd = at::linear(x, in_w_.narrow(0, D, D), in_b_.narrow(0, D, D)).view({F, N, H, hd});
  const at::Tensor v_FNHd = at::linear(x, in_w_.narrow(0, 2 * D, D), in_b_.narrow(0, 2 * D, D)).view({F, N, H, hd});
  const at::Tensor p_FHN = at::softmax(at::einsum("hd,fnhd->fhn", {q_Hd, k_FNHd}), -1);
  const at::Tensor o_FD = at::einsum("fhn,fnhd->fhd", {p_FHN, v_FNHd}).reshape({F, D});
  at::Tensor h = at::linear(o_FD, out_w_, out_b_);
  // residual + mlp(layernorm(h)) (SiglipMLP: fc1, the config's activation, fc2).
  at::Tensor m = at::linear(at::layer_norm(h, norm, ln_w_, ln_b_, config_.layer_norm_eps), fc1_w_, fc1_b_);
  m = config_.hidden_act == "gelu" ? at::gelu(m) : at::gelu(m, "tanh");
  h = h + at::linear(m, fc2_w_, fc2_b_);
  return {h, p_FHN.mean(1)};
}

PoolingHeadOutput SiglipPoolingHead::forward(const at::Tensor& hidden, int64_t frame_chunk) const {
  if (!hidden.defined() || hidden.dim() != 3 || hidden.size(2) != config_.hidden_size || hidden.size(1) < 1)
    throw std::invalid_argument("SigLIP pooling head (" + source_ + "): features must be [F, N, " +
                                std::to_string(config_.hidden_size) + "], got " +
                                (hidden.defined() ? c10::str(hidden.sizes()) : "undefined") +
                                " (the release's hidden size must equal the video tower's)");
  std::vector<at::Tensor> pooled, weights;
  const int64_t step = std::max<int64_t>(1, frame_chunk);
  for (int64_t f = 0; f < hidden.size(0); f += step) {
    const int64_t n = std::min(step, hidden.size(0) - f);
    PoolingHeadOutput o = forward_chunk(hidden.narrow(0, f, n).to(probe_D_.device(), at::kFloat));
    pooled.push_back(o.pooled_FD);
    weights.push_back(o.weights_FN);
  }
  if (pooled.empty())
    return {at::empty({0, config_.hidden_size}, probe_D_.options()), at::empty({0, hidden.size(1)}, probe_D_.options())};
  return {at::cat(pooled), at::cat(weights)};
}

std::vector<at::Tensor> SiglipPoolingHead::tensors() const {
  return {post_ln_w_, post_ln_b_, probe_D_, in_w_, in_b_, out_w_, out_b_, ln_w_, ln_b_, fc1_w_, fc1_b_, fc2_w_, fc2_b_};
}

nlohmann::json SiglipPoolingHead::describe() const {
  return {{"source", source_}, {"hidden", config_.hidden_size}, {"heads", config_.num_heads},
          {"intermediate", config_.intermediate_size}, {"dtype", "float32"}};
}

}  // namespace pevlm::siglip
