// Defaults LLaVA-Video's two config layouts take for omitted keys (library pevlm_llava_video), one
// table per model_type, each citing the code it was read from. The LLM fields of both layouts use
// Qwen2Config's table (models/llm/config_defaults.h), the tower SiglipVisionConfig's
// (models/siglip/siglip_config.cpp).
#pragma once

#include <nlohmann/json.hpp>

#include "models/llm/config_json.h"

namespace pevlm::llava_video {

// model_type "llava_onevision": LlavaOnevisionConfig's own fields (transformers 5.25.0).
const config_json::ClassDefaults& llava_onevision_defaults();
// The vision_config LlavaOnevisionConfig builds when the file has none: SiglipVisionConfig with the
// SubConfigSpec init_kwargs (so400m sizes, 26 layers, no head). A given vision_config object gets the
// plain SiglipVisionConfig defaults instead.
const nlohmann::json& llava_onevision_default_vision_config();
// model_type "llava_qwen": the mm_* keys LLaVA-NeXT reads with getattr defaults (its LLM fields are
// Qwen2Config's: LlavaQwenConfig(Qwen2Config)).
const config_json::ClassDefaults& llava_qwen_defaults();

}  // namespace pevlm::llava_video
