// LongVILA-7B-256f configuration (library pevlm_longvila): VILA's split folder
//   config.json      model_type llava_llama: mm_vision_select_layer, num_video_frames, ...
//   llm/             Qwen2ForCausalLM (config.json, sharded safetensors + index, tokenizer)
//   vision_tower/    SigLIP (config.json, model.safetensors with vision_model.*)
//   mm_projector/    config.json {"mm_projector_type": "mlp_downsample"}, model.safetensors layers.{1,2,4}.*
// Facts: ../shared/reference/more_models.md ("LongVILA-7B-256f"); code mirrored: NVlabs/VILA
// llava/model/multimodal_projector/base_projector.py (DownSampleBlock, mlp_downsample),
// llava/model/encoders/video/basic.py (end token "\n" after every frame), llava/model/multimodal_encoder
// (hidden_states[mm_vision_select_layer], no post-layernorm).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "models/llm/text_config.h"
#include "models/siglip/siglip.h"

namespace pevlm::longvila {

struct LongVilaConfig {
  llm::TextConfig text;      // llm/config.json (Qwen2-7B dims, its rope_theta)
  siglip::SiglipConfig vision;      // vision_tower/config.json (so400m at 448 px)
  int64_t vision_layers = 0;        // hidden_states[mm_vision_select_layer] (-2: all but the last layer)
  std::string projector_type;       // mm_projector/config.json mm_projector_type (mlp_downsample)
  int64_t frames = 256;             // num_video_frames
  // "fps": > 0 samples from the start of the video at that rate, else uniformly over all of it
  // (frame_sampling.h). Required: VILA's LlavaConfig defaults it to None, which its loader cannot compare.
  double fps = 0;
  std::array<double, 3> image_mean{0.5, 0.5, 0.5};  // vision_tower/preprocessor_config.json (SigLIP: 0.5)
  std::array<double, 3> image_std{0.5, 0.5, 0.5};
  std::string torch_dtype = "bfloat16";
  std::string source;               // the top-level config.json

  // Visual tokens per frame before the "\n": ceil(grid / 2)^2 (256 for 32 x 32).
  int64_t tokens_per_frame() const { return ((vision.grid() + 1) / 2) * ((vision.grid() + 1) / 2); }
};

// Reads the config files of `dir` (config.json, llm/config.json, vision_tower/config.json and
// preprocessor_config.json, mm_projector/config.json); omitted keys take their model_type's defaults
// (config_defaults.h: VILA's mm_vision_select_layer / _feature and num_video_frames have none). Throws
// std::runtime_error naming the folder and file (a missing sub-folder or file), the key (without a default,
// unknown projector type, feature selection) and what was expected.
LongVilaConfig load_config(const std::filesystem::path& dir);

}  // namespace pevlm::longvila
