// LLaVA-Video-7B-Qwen2 configuration (library pevlm_llava_video): both on-disk layouts, the model
// options the evaluation chooses (pooling, newline placement, time instruction, frames) and the
// weight names of each layout. Facts: ../shared/reference/more_models.md ("LLaVA-Video-7B-Qwen2");
// code mirrored: LLaVA-NeXT llava/model/llava_arch.py (get_2dPool, add_token_per_grid,
// encode_multimodals), llava/model/multimodal_encoder/siglip_encoder.py (last layer dropped),
// lmms-eval models/llava_vid.py (mm_spatial_pool_mode "average" for evaluation, time instruction),
// transformers models/llava_onevision (the converted layout).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/llm/text_config.h"
#include "models/siglip/siglip.h"

namespace pevlm::llava_video {

// Which checkpoint a folder holds.
enum class Layout {
  LmmsLab,    // model_type llava_qwen: model.vision_tower.vision_tower.vision_model.*, model.mm_projector.{0,2}.*,
              // model.image_newline, model.* (LLM), lm_head.weight
  Onevision,  // model_type llava_onevision: vision_tower.vision_model.*, multi_modal_projector.linear_{1,2}.*,
              // image_newline, language_model.model.*, language_model.lm_head.weight
};

// get_2dPool's mm_spatial_pool_mode: average -> floor(g/stride) per side (13 for 27), bilinear ->
// ceil (14), max -> floor.
enum class PoolMode { Average, Bilinear, Max };
// mm_newline_position: grid -> image_newline after every pooled row of every frame; one_token -> one
// image_newline after the whole video (transformers' LlavaOnevision); no_token -> none.
enum class NewlinePosition { Grid, OneToken, NoToken };

const char* pool_mode_name(PoolMode mode);
const char* newline_position_name(NewlinePosition position);

// What a user may choose at load time (eval config `model_options:`, generate --model-option k=v).
struct Options {
  PoolMode pool_mode = PoolMode::Average;            // "pool_mode": average (official evaluation) | bilinear | max
  NewlinePosition newline = NewlinePosition::Grid;   // "newline": grid | one_token | no_token
  bool time_instruction = false;                     // "time_instruction": prepend lmms-eval's time sentence
  int64_t frames = 64;                               // "frames": generate's default frame count (64 / 128)
  // "fastvid_siglip": the SigLIP release whose post-layernorm + attention-pooling head give FastVID its saliency and
  // global features (fastvid_signals.h): a folder, or a hub id (google/siglip-so400m-patch14-384) read from the
  // local hub cache (models/safetensors/hub_cache.h); empty: FastVID rows are errors saying so.
  std::string fastvid_siglip;
  nlohmann::json to_json() const;
};
// Reads {"pool_mode", "newline", "time_instruction", "frames", "fastvid_siglip"}; an unknown key or value is an
// error naming it and listing the valid ones.
Options parse_options(const nlohmann::json& j);

struct LlavaVideoConfig {
  Layout layout = Layout::LmmsLab;
  llm::TextConfig text;        // Qwen2-7B: 1-D RoPE, theta 1e6
  siglip::SiglipConfig vision;        // so400m-patch14-384
  int64_t vision_layers = 0;          // layers run (26 of 27: hidden_states[-2] / the wrapper's dropped layer)
  std::string projector_type = "mlp2x_gelu";  // Linear(vision hidden -> hidden), GELU, Linear(hidden -> hidden)
  int64_t pool_stride = 2;            // mm_spatial_pool_stride
  std::string torch_dtype = "bfloat16";
  std::string source;                 // config.json path

  // Pooled grid side for `mode` (13 / 14 for 27).
  int64_t pooled_side(PoolMode mode) const;
};

// Reads `dir`/config.json of either layout. The lmms-lab file names the tower in mm_vision_tower
// (its dimensions are so400m's unless a "vision_config" object is present, as in the tiny
// checkpoints); the onevision file carries vision_config/text_config. Omitted keys take the defaults
// of their model_type (config_defaults.h; Qwen2Config's and SiglipVisionConfig's for the LLM and
// tower). Throws std::runtime_error naming the file and key (a key without a default, unknown
// projector type, pool stride, tower).
LlavaVideoConfig load_config(const std::filesystem::path& dir);
LlavaVideoConfig parse_config(const nlohmann::json& doc, const std::string& source);

// Weight names of a layout.
struct WeightNames {
  std::string vision_prefix;   // SigLIP tower (with or without "vision_model." below it)
  std::string proj1, proj2;    // projector linears (".weight" / ".bias" appended)
  std::string newline;         // image_newline [hidden]
  std::string llm_prefix;      // Qwen2 layers, embed_tokens, norm
  std::string lm_head;         // lm_head weight
};
// The names for `layout`; for Onevision `new_spelling` selects transformers 5.x's model.language_model.* names.
WeightNames weight_names(Layout layout, bool new_spelling = false);

// One tensor of the mlp2x_gelu projector or the image newline, with its shape.
struct ProjectorWeightSpec {
  std::string name;
  std::vector<int64_t> shape;
};
// Under `names`: proj1 weight [hidden, vision_hidden] and bias, proj2 weight [hidden, hidden] and bias, the
// image newline [hidden], in that order. The loader (model.cpp) and both tiny writers read this table.
std::vector<ProjectorWeightSpec> projector_weight_table(const WeightNames& names, int64_t vision_hidden, int64_t hidden);

}  // namespace pevlm::llava_video
