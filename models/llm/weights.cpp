// LLM weight table and loader; see weights.h.
#include "models/llm/weights.h"

#include <ATen/ATen.h>

#include <map>
#include <sstream>
#include <utility>
#include <stdexcept>

#include "attention/random_fill.h"
#include "models/safetensors/torch_tensor.h"

namespace pevlm::llm {
namespace {

std::string shape_str(const std::vector<int64_t>& shape) {
  std::ostringstream out;
  out << "[";
  for (size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  out << "]";
  return out.str();
}

std::string layer_name(int64_t layer, const std::string& leaf) {
  return "layers." + std::to_string(layer) + "." + leaf;
}

// Fills `w` (a layer or the model) from a name -> tensor map built from the table.
void assign_layer(LayerWeights& w, const std::map<std::string, at::Tensor>& t, int64_t n) {
  auto get = [&](const std::string& leaf) { return t.at(layer_name(n, leaf)); };
  w.input_norm_D = get("input_layernorm.weight");
  w.q_w = get("self_attn.q_proj.weight");
  // The variant's tensors only (weight_table): biases when qkv_bias, q/k norms when qk_norm.
  auto optional = [&](const std::string& leaf) {
    auto it = t.find(layer_name(n, leaf));
    return it == t.end() ? at::Tensor() : it->second;
  };
  w.q_b = optional("self_attn.q_proj.bias");
  w.k_w = get("self_attn.k_proj.weight");
  w.k_b = optional("self_attn.k_proj.bias");
  w.v_w = get("self_attn.v_proj.weight");
  w.v_b = optional("self_attn.v_proj.bias");
  w.o_w = get("self_attn.o_proj.weight");
  w.q_norm_D = optional("self_attn.q_norm.weight");
  w.k_norm_D = optional("self_attn.k_norm.weight");
  w.post_norm_D = get("post_attention_layernorm.weight");
  w.gate_w = get("mlp.gate_proj.weight");
  w.up_w = get("mlp.up_proj.weight");
  w.down_w = get("mlp.down_proj.weight");
}

// Builds Weights from a complete name -> tensor map (lm_head may be missing when tied).
Weights assemble(const TextConfig& text, const std::map<std::string, at::Tensor>& t) {
  Weights w;
  w.embed_VD = t.at("embed_tokens.weight");
  w.norm_D = t.at("norm.weight");
  w.layers.resize(size_t(text.num_layers));
  for (int64_t n = 0; n < text.num_layers; ++n) assign_layer(w.layers[size_t(n)], t, n);
  auto head = t.find("lm_head.weight");
  w.tied = head == t.end();
  w.lm_head_VD = w.tied ? w.embed_VD : head->second;
  return w;
}

}  // namespace

std::vector<WeightSpec> weight_table(const TextConfig& text) {
  const int64_t h = text.hidden_size, q = text.num_heads * text.head_dim;
  const int64_t kv = text.num_kv_heads * text.head_dim, ff = text.intermediate_size;
  std::vector<WeightSpec> table{{"embed_tokens.weight", {text.vocab_size, h}}};
  for (int64_t n = 0; n < text.num_layers; ++n) {
    auto add = [&](const std::string& leaf, std::vector<int64_t> shape) { table.push_back({layer_name(n, leaf), std::move(shape)}); };
    add("input_layernorm.weight", {h});
    add("self_attn.q_proj.weight", {q, h});
    if (text.qkv_bias) add("self_attn.q_proj.bias", {q});
    add("self_attn.k_proj.weight", {kv, h});
    if (text.qkv_bias) add("self_attn.k_proj.bias", {kv});
    add("self_attn.v_proj.weight", {kv, h});
    if (text.qkv_bias) add("self_attn.v_proj.bias", {kv});
    add("self_attn.o_proj.weight", {h, q});
    if (text.qk_norm) {  // Qwen3Attention: RMSNorm(head_dim) on q and k
      add("self_attn.q_norm.weight", {text.head_dim});
      add("self_attn.k_norm.weight", {text.head_dim});
    }
    add("post_attention_layernorm.weight", {h});
    add("mlp.gate_proj.weight", {ff, h});
    add("mlp.up_proj.weight", {ff, h});
    add("mlp.down_proj.weight", {h, ff});
  }
  table.push_back({"norm.weight", {h}});
  table.push_back({"lm_head.weight", {text.vocab_size, h}, /*top_level=*/true});
  return table;
}

std::string detect_prefix(const safetensors::Checkpoint& checkpoint) {
  if (checkpoint.has(std::string(kNewLlmPrefix) + "embed_tokens.weight")) return kNewLlmPrefix;
  if (checkpoint.has(std::string(kHubLlmPrefix) + "embed_tokens.weight")) return kHubLlmPrefix;
  throw std::runtime_error("checkpoint " + checkpoint.path() + ": no LLM embeddings (expected " +
                           kHubLlmPrefix + "embed_tokens.weight or " + kNewLlmPrefix +
                           "embed_tokens.weight)");
}

Weights load_weights(const safetensors::Checkpoint& checkpoint, const TextConfig& text,
                            at::ScalarType dtype, const at::Device& device) {
  return load_weights_at(checkpoint, text, detect_prefix(checkpoint), "lm_head.weight", dtype, device);
}

Weights load_weights_at(const safetensors::Checkpoint& checkpoint, const TextConfig& text, const std::string& prefix,
                               const std::string& lm_head_name, at::ScalarType dtype, const at::Device& device) {
  std::map<std::string, at::Tensor> tensors;
  for (const WeightSpec& spec : weight_table(text)) {
    const std::string full = spec.top_level ? lm_head_name : prefix + spec.name;
    if (!checkpoint.has(full)) {
      if (spec.name == "lm_head.weight" && text.tie_word_embeddings) continue;  // tied: use embeddings
      throw std::runtime_error("checkpoint " + checkpoint.path() + ": missing tensor " + full +
                               " (expected shape " + shape_str(spec.shape) + ")" +
                               (spec.name == "lm_head.weight" ? "; tie_word_embeddings is false" : ""));
    }
    const safetensors::TensorView& view = checkpoint.get(full);
    if (view.shape != spec.shape)
      throw std::runtime_error("checkpoint " + checkpoint.path() + ": tensor " + full + " has shape " +
                               shape_str(view.shape) + ", expected " + shape_str(spec.shape) +
                               " from config " + "(file " + checkpoint.file_of(full) + ")");
    // On the CPU a view of the mapping when the dtype matches.
    tensors[spec.name] = safetensors::to_device_tensor(view, device, dtype);
  }
  Weights w = assemble(text, tensors);
  w.prefix = prefix;
  w.mapping = std::make_shared<const safetensors::Checkpoint>(checkpoint);
  return w;
}

Weights random_weights(const TextConfig& text, uint64_t seed, at::ScalarType dtype, double std,
                              const at::Device& device) {
  std::map<std::string, at::Tensor> tensors;
  uint64_t index = 0;
  for (const WeightSpec& spec : weight_table(text)) {
    if (spec.name == "lm_head.weight" && text.tie_word_embeddings) continue;
    at::Tensor n = attention::random_normal(spec.shape, attention::mix_seed(seed, index++), device);
    const bool norm = spec.name.find("norm.weight") != std::string::npos;
    const bool bias = spec.name.size() > 5 && spec.name.substr(spec.name.size() - 5) == ".bias";
    at::Tensor value = norm ? n.mul_(0.1).add_(1.0) : n.mul_(bias ? 0.05 : std);
    tensors[spec.name] = value.to(dtype);
  }
  return assemble(text, tensors);
}

}  // namespace pevlm::llm
