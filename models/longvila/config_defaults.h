// Defaults of VILA's split-folder configs (library pevlm_longvila), one table per model_type, citing
// NVlabs/VILA's classes. The sub-folders' own configs use the transformers tables: llm/ Qwen2Config
// (models/qwen2_5_vl/config_defaults.h), vision_tower/ SiglipVisionConfig (models/siglip/siglip_config.cpp).
#pragma once

#include "models/qwen2_5_vl/config_json.h"

namespace pevlm::longvila {

// model_type "llava_llama" (top-level config.json): VILA's LlavaLlamaConfig(LlavaConfig).
const qwen2_5_vl::detail::ClassDefaults& llava_llama_defaults();
// model_type "v2l_projector" (mm_projector/config.json): VILA's MultimodalProjectorConfig.
const qwen2_5_vl::detail::ClassDefaults& v2l_projector_defaults();

}  // namespace pevlm::longvila
