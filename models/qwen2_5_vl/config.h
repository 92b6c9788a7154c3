// Qwen2.5-VL model and preprocessor configuration, loaded from a Hugging Face config.json /
// preprocessor_config.json (library pevlm_qwen_config, torch-free).
//
// Mirrors transformers' configuration_qwen2_5_vl.py (Qwen2_5_VLConfig, Qwen2_5_VLVisionConfig)
// and image_processing_qwen2_vl.py (Qwen2VLImageProcessor). Values come from the checkpoint's
// files; a key a file leaves out (save_pretrained omits keys equal to their class default) takes
// the class default of its model_type, as transformers does (config_defaults.h). Those defaults
// differ from the released models (rms_norm_eps 1e-5, tokens_per_second 4, ...), so only omitted
// keys ever take them (../shared/reference/qwen2_5_vl.md, "Config").
//
// Errors: std::runtime_error whose message names the file and the key and says what was
// expected (missing key, wrong JSON type, failed invariant).
//
// The structs and their inline helpers need no library; the functions below are in
// pevlm_qwen_config.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "models/llm/text_config.h"

namespace pevlm::qwen2_5_vl {

// The vision tower (ViT with window attention + patch merger).
struct VisionConfig {
  int64_t depth = 0;                   // "depth" (number of blocks)
  int64_t hidden_size = 0;             // "hidden_size" (1280)
  int64_t num_heads = 0;               // "num_heads" (16 -> head_dim 80)
  int64_t intermediate_size = 0;       // "intermediate_size" (3420, gated MLP)
  int64_t patch_size = 0;              // "patch_size" (older alias "spatial_patch_size"), 14
  int64_t temporal_patch_size = 0;     // "temporal_patch_size", 2
  int64_t spatial_merge_size = 0;      // "spatial_merge_size", 2
  int64_t window_size = 0;             // "window_size" in pixels, 112
  std::vector<int64_t> fullatt_block_indexes;  // blocks with full (per grid step) attention
  int64_t out_hidden_size = 0;         // "out_hidden_size" = LLM hidden size
  double tokens_per_second = 2.0;      // "tokens_per_second" (M-RoPE temporal scale)
  int64_t in_channels = 3;             // "in_channels" (older alias "in_chans")
  std::string hidden_act = "silu";     // "hidden_act" of the block MLPs
  // Not in config.json: transformers hard-codes eps 1e-6 for norm1/norm2/merger.ln_q
  // (modeling_qwen2_5_vl.py, Qwen2_5_VLVisionBlock / Qwen2_5_VLPatchMerger).
  double rms_norm_eps = 1e-6;

  int64_t head_dim() const { return num_heads > 0 ? hidden_size / num_heads : 0; }
  // Length of one flattened patch: C * temporal_patch * patch * patch (1176).
  int64_t patch_dim() const { return in_channels * temporal_patch_size * patch_size * patch_size; }
  // Patches merged into one LLM token (spatial_merge_size^2 = 4).
  int64_t merge_unit() const { return spatial_merge_size * spatial_merge_size; }
  // Merger input width: hidden_size * merge_unit (5120).
  int64_t merger_hidden() const { return hidden_size * merge_unit(); }
  // Pixels per side of one merged token (patch * merge = 28).
  int64_t merged_patch_pixels() const { return patch_size * spatial_merge_size; }
  // Merged tokens per window side: window_size / merge / patch (112/2/14 = 4).
  int64_t window_merged_tokens() const {
    return (spatial_merge_size > 0 && patch_size > 0) ? window_size / spatial_merge_size / patch_size : 0;
  }
  // Block `block` uses full attention (within one temporal grid step) instead of windows.
  bool is_full_attention_block(int64_t block) const {
    for (int64_t b : fullatt_block_indexes)
      if (b == block) return true;
    return false;
  }
};

// Special token ids from config.json (the chat markers <|im_start|>/<|im_end|> live in the
// tokenizer, not here).
struct SpecialTokens {
  int64_t bos = -1;           // "bos_token_id" (151643 <|endoftext|>)
  int64_t eos = -1;           // "eos_token_id" (151645 <|im_end|>); first entry if a list
  int64_t pad = -1;           // "pad_token_id", -1 when absent
  int64_t vision_start = -1;  // "vision_start_token_id" 151652
  int64_t vision_end = -1;    // "vision_end_token_id" 151653
  int64_t vision_pad = -1;    // "vision_token_id" 151654, -1 when absent
  int64_t image_pad = -1;     // "image_token_id" 151655
  int64_t video_pad = -1;     // "video_token_id" 151656
};

// The whole model configuration.
struct Qwen25VLConfig {
  llm::TextConfig text;
  VisionConfig vision;
  SpecialTokens tokens;
  std::string model_type = "qwen2_5_vl";  // "model_type"
  std::string torch_dtype = "bfloat16";   // "torch_dtype" (or "dtype"), the checkpoint's dtype
  std::string source;                     // file it was loaded from, or "preset:<name>"
};

// Reads config.json (`path` may also be the model folder). LLM fields are read at the top level
// with fallback to "text_config", then Qwen2_5_VLTextConfig's defaults; vision fields from
// "vision_config" (the older spellings "in_chans", "spatial_patch_size" must agree with the
// fields), then Qwen2_5_VLVisionConfig's; rope_scaling / rope_parameters with "type" or
// "rope_type" equal to "mrope" or "default" and "mrope_section" (absent: [16, 24, 24], as the
// modeling code). An explicit null takes no default (an error for a required key). Validates.
Qwen25VLConfig load_config(const std::string& path);
// Same from JSON text; `source` names it in error messages.
Qwen25VLConfig parse_config(const std::string& json_text, const std::string& source);

// Checks the invariants the model code relies on: positive sizes, hidden % heads == 0,
// heads % kv_heads == 0, 2 * sum(mrope_section) == head_dim, vision hidden % heads == 0,
// vision out_hidden_size == text hidden_size, fullatt indexes inside [0, depth),
// window_size a multiple of patch * merge. Throws std::runtime_error naming config.source and
// the key.
void validate(const Qwen25VLConfig& config);

// Names accepted by config_preset().
std::vector<std::string> preset_names();
// The released checkpoints' values ("qwen2.5-vl-7b", "qwen2.5-vl-3b"; the "-instruct" suffix is
// accepted too). Throws std::invalid_argument listing the valid names.
Qwen25VLConfig config_preset(const std::string& name);

// config.json text in the Hugging Face layout (LLM fields at top level, "vision_config",
// "rope_scaling": {"type": "mrope", "mrope_section": [...]}), readable by transformers and by
// load_config. Used by make-tiny-model.
std::string to_json(const Qwen25VLConfig& config);
// Writes to_json(config) to `path`; throws std::runtime_error naming the path on failure.
void save_config(const Qwen25VLConfig& config, const std::string& path);

// preprocessor_config.json (Qwen2VLImageProcessor).
struct PreprocessorConfig {
  int64_t min_pixels = 56 * 56;          // "min_pixels", else size.shortest_edge
  int64_t max_pixels = 28 * 28 * 1280;   // "max_pixels", else size.longest_edge
  int64_t patch_size = 14;               // "patch_size"
  int64_t temporal_patch_size = 2;       // "temporal_patch_size"
  int64_t merge_size = 2;                // "merge_size"
  std::array<double, 3> image_mean{0.48145466, 0.4578275, 0.40821073};  // "image_mean" (CLIP)
  std::array<double, 3> image_std{0.26862954, 0.26130258, 0.27577711};  // "image_std" (CLIP)
  double rescale_factor = 1.0 / 255.0;   // "rescale_factor"
  std::string source;                    // file it was loaded from

  // smart_resize factor: patch_size * merge_size (28).
  int64_t resize_factor() const { return patch_size * merge_size; }
};

// Reads preprocessor_config.json (`path` may also be the model folder). As in
// Qwen2VLImageProcessor.__init__ (transformers 4.50): defaults, then size{shortest_edge,
// longest_edge}, then min_pixels/max_pixels override. Validates positive sizes,
// min_pixels <= max_pixels, 3-entry mean/std with std > 0.
PreprocessorConfig load_preprocessor_config(const std::string& path);
PreprocessorConfig parse_preprocessor_config(const std::string& json_text, const std::string& source);

}  // namespace pevlm::qwen2_5_vl
