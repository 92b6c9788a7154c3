// Qwen3-VL (dense) configuration from a Hugging Face config.json (library pevlm_qwen3_vl_config,
// torch-free).
//
// Mirrors transformers 5.25 configuration_qwen3_vl.py (Qwen3VLConfig, Qwen3VLTextConfig,
// Qwen3VLVisionConfig): the LLM under "text_config", the tower under "vision_config", the special
// token ids at the top level. A key the file leaves out takes the class default (config_defaults
// below, as transformers applies them). RoPE is read in both spellings: the released checkpoints'
// (transformers 4.57: text_config.rope_theta + text_config.rope_scaling{mrope_section,
// mrope_interleaved}) and 5.x's (text_config.rope_parameters{rope_theta, mrope_section}).
// Facts: ../shared/reference/more_models.md, "Qwen3-VL".
//
// Errors: std::runtime_error naming the file and the key and what was expected.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "models/llm/text_config.h"

namespace pevlm::qwen3_vl {

// The Qwen3 decoder is a variant of the shared decoder (models/llm/text_config.h): its fields are
// llm::TextConfig's, with q/k RMSNorm, no q/k/v bias ("attention_bias" false on every release),
// interleaved M-RoPE ([24, 20, 20], theta 5e6 unless the file says otherwise) and head_dim as given
// (4B: != hidden / heads). text_variant() is that starting point, before a file's values.
llm::TextConfig text_variant();

// The vision tower (ViT with learned + rotary positions, merger, DeepStack mergers).
struct VisionConfig {
  int64_t depth = 0;
  int64_t hidden_size = 0;
  int64_t num_heads = 0;
  int64_t intermediate_size = 0;
  int64_t patch_size = 0;                  // 16
  int64_t temporal_patch_size = 0;         // 2
  int64_t spatial_merge_size = 0;          // 2
  int64_t out_hidden_size = 0;             // = text hidden_size
  int64_t num_position_embeddings = 0;     // 2304 = 48 x 48 (a square)
  int64_t in_channels = 3;
  std::vector<int64_t> deepstack_visual_indexes;  // blocks whose output feeds a DeepStack merger
  std::string hidden_act = "gelu_pytorch_tanh";   // block MLPs (the mergers use exact GELU)
  // Not in config.json: transformers hard-codes these (modeling_qwen3_vl.py: LayerNorm eps 1e-6,
  // Qwen3VLVisionRotaryEmbedding theta 10000 in 4.57; the axial rope_parameters default in 5.x).
  double layer_norm_eps = 1e-6;
  double rope_theta = 10000.0;

  int64_t head_dim() const { return num_heads > 0 ? hidden_size / num_heads : 0; }
  int64_t patch_dim() const { return in_channels * temporal_patch_size * patch_size * patch_size; }
  int64_t merge_unit() const { return spatial_merge_size * spatial_merge_size; }
  int64_t merger_hidden() const { return hidden_size * merge_unit(); }
  // Side of the square learned position table (48).
  int64_t position_grid_side() const;
};

struct SpecialTokens {
  int64_t bos = -1;           // text_config.bos_token_id (151643), -1 when absent
  int64_t eos = -1;           // text_config.eos_token_id (151645), -1 when absent
  int64_t vision_start = -1;  // "vision_start_token_id" 151652
  int64_t vision_end = -1;    // "vision_end_token_id" 151653
  int64_t image_pad = -1;     // "image_token_id" 151655
  int64_t video_pad = -1;     // "video_token_id" 151656
};

struct Qwen3VLConfig {
  llm::TextConfig text;
  VisionConfig vision;
  SpecialTokens tokens;
  std::string model_type = "qwen3_vl";
  std::string torch_dtype = "bfloat16";
  std::string source;
};

// Reads config.json (`path` may be the model folder). model_type must be "qwen3_vl" (the MoE
// "qwen3_vl_moe" is rejected by name). Validates (validate()).
Qwen3VLConfig load_config(const std::string& path);
Qwen3VLConfig parse_config(const std::string& json_text, const std::string& source);

// Invariants the model code relies on: positive sizes, heads % kv_heads == 0, 2 * sum(mrope_section)
// == head_dim, vision hidden % heads == 0 with head_dim % 4 == 0 (2-D rotary), a square position
// table, out_hidden_size == text hidden_size, DeepStack indexes distinct inside [0, depth) and at
// most text num_layers of them. Throws std::runtime_error naming config.source and the key.
void validate(const Qwen3VLConfig& config);

// The released dense checkpoints' values: "qwen3-vl-2b", "qwen3-vl-4b", "qwen3-vl-8b" ("-instruct"
// accepted). Throws std::invalid_argument listing the valid names.
std::vector<std::string> preset_names();
Qwen3VLConfig config_preset(const std::string& name);

}  // namespace pevlm::qwen3_vl
