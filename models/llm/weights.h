// The Qwen decoder's weights: one name table (Hub names, expected shapes; the variant's q/k/v biases and
// q/k norms per TextConfig) and a loader that resolves both checkpoint layouts, ties lm_head to the
// embeddings when the checkpoint says so, and checks every shape (library pevlm_llm).
//
// Names (../shared/reference/qwen2_5_vl.md, "Weight names"; transformers modeling_qwen2_5_vl.py
// Qwen2_5_VLTextModel / Qwen2_5_VLDecoderLayer): Hub files use `model.embed_tokens.weight`,
// `model.layers.N.*`, `model.norm.weight`, `lm_head.weight`; files saved by newer transformers use
// `model.language_model.*` for the same tensors (lm_head.weight stays top level).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/llm/text_config.h"
#include "models/safetensors/safetensors.h"

namespace pevlm::llm {

// One entry of the LLM weight table: the name below the LLM prefix ("layers.0.self_attn.q_proj.weight",
// "embed_tokens.weight", "norm.weight") or the top-level "lm_head.weight", with its expected shape.
struct WeightSpec {
  std::string name;
  std::vector<int64_t> shape;
  bool top_level = false;  // true for lm_head.weight (never under the LLM prefix)
};

// The table for `text`, in load order: embed_tokens, per layer (input_layernorm, q/k/v weight (+ bias
// when text.qkv_bias), o_proj, q_norm / k_norm when text.qk_norm, post_attention_layernorm,
// gate/up/down), norm, lm_head (always listed; optional when tied).
std::vector<WeightSpec> weight_table(const TextConfig& text);

// Prefixes of the two layouts: "model." (Hub) and "model.language_model." (newer transformers).
inline constexpr const char* kHubLlmPrefix = "model.";
inline constexpr const char* kNewLlmPrefix = "model.language_model.";

// The weights of one decoder layer, in the compute dtype, [out, in] as nn.Linear stores them.
struct LayerWeights {
  at::Tensor input_norm_D;     // [hidden]
  at::Tensor q_w, q_b;         // [Hq*D, hidden], [Hq*D]
  at::Tensor k_w, k_b;         // [Hkv*D, hidden], [Hkv*D]
  at::Tensor v_w, v_b;         // [Hkv*D, hidden], [Hkv*D]
  at::Tensor o_w;              // [hidden, Hq*D] (no bias)
  at::Tensor q_norm_D, k_norm_D;  // [D] when text.qk_norm (Qwen3), else undefined
  at::Tensor post_norm_D;      // [hidden]
  at::Tensor gate_w, up_w;     // [intermediate, hidden]
  at::Tensor down_w;           // [hidden, intermediate]
};

struct Weights {
  at::Tensor embed_VD;                 // [vocab, hidden]
  std::vector<LayerWeights> layers;
  at::Tensor norm_D;                   // [hidden]
  at::Tensor lm_head_VD;               // [vocab, hidden]; same storage as embed_VD when tied
  bool tied = false;                   // lm_head came from embed_tokens
  std::string prefix;                  // layout found ("model." or "model.language_model."), "" if built
  // Keeps the file mapping alive when tensors are zero-copy views of it (checkpoint dtype ==
  // compute dtype): a 7B checkpoint is then not copied into memory.
  std::shared_ptr<const safetensors::Checkpoint> mapping;
};

// Which prefix the checkpoint uses: kNewLlmPrefix when it has
// "model.language_model.embed_tokens.weight", else kHubLlmPrefix. Throws std::runtime_error naming
// the checkpoint when neither embed_tokens name is present.
std::string detect_prefix(const safetensors::Checkpoint& checkpoint);

// Loads every LLM tensor as `dtype` onto `device`. CPU: zero-copy views of the mapping when the
// checkpoint already has that dtype (Weights::mapping keeps it alive), converted copies otherwise;
// accelerators: chunked pinned copies converted on the device (safetensors::to_device_tensor).
// Throws std::runtime_error naming the checkpoint, the tensor and the expected shape when a tensor
// is missing or has another shape; lm_head.weight may be absent only when
// text.tie_word_embeddings is true (then lm_head = embed_tokens).
Weights load_weights(const safetensors::Checkpoint& checkpoint, const TextConfig& text,
                            at::ScalarType dtype, const at::Device& device = at::kCPU);

// Same for a layout whose names the caller knows (LLaVA-Video's "language_model.model." +
// "language_model.lm_head.weight", LongVILA's llm/ folder): the table's names under `prefix`, the
// head under `lm_head_name`. Errors as load_weights.
Weights load_weights_at(const safetensors::Checkpoint& checkpoint, const TextConfig& text, const std::string& prefix,
                               const std::string& lm_head_name, at::ScalarType dtype, const at::Device& device = at::kCPU);

// Random weights with the table's shapes (for timing with real dimensions, no checkpoint):
// norms 1 + 0.1 N(0,1), biases 0.05 N, other matrices N(0,1) * `std` (default 0.02), drawn on
// `device` (attention/random_fill.h: a generator on the GPU, parallel chunks on the CPU; tensor n of
// the table from seed mix_seed(seed, n)).
Weights random_weights(const TextConfig& text, uint64_t seed, at::ScalarType dtype,
                              double std = 0.02, const at::Device& device = at::kCPU);

}  // namespace pevlm::llm
