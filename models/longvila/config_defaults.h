// Defaults of VILA's split-folder configs (library pevlm_longvila), one table per model_type, citing
// NVlabs/VILA's classes. The sub-folders' own configs use the transformers tables: llm/ Qwen2Config
// (models/llm/config_defaults.h), vision_tower/ SiglipVisionConfig (models/siglip/siglip_config.cpp).
#pragma once

#include "models/llm/config_json.h"

namespace pevlm::longvila {

// model_type "llava_llama" (top-level config.json): VILA's LlavaLlamaConfig(LlavaConfig).
const config_json::ClassDefaults& llava_llama_defaults();
// model_type "v2l_projector" (mm_projector/config.json): VILA's MultimodalProjectorConfig.
const config_json::ClassDefaults& v2l_projector_defaults();

}  // namespace pevlm::longvila
