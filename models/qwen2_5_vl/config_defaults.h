// The transformers class defaults of the configs Qwen2.5-VL is read from (library pevlm_qwen_config;
// the plain Qwen2 decoder's are models/llm/config_defaults.h): what a reader applies to a key that save_pretrained left out.
// Read from the project .venv's transformers 5.25.0 source (configuration_qwen2.py,
// configuration_qwen2_5_vl.py); scripts/golden/make_config_fixtures.py checks them against the
// installed classes through files written by their save_pretrained (tests/config_defaults_test.cpp).
#pragma once

#include <cstdint>

#include "models/llm/config_json.h"

namespace pevlm::qwen2_5_vl {

// model_type "qwen2_5_vl_text": Qwen2_5_VLTextConfig (the LLM of a Qwen2.5-VL config, flat or nested).
const config_json::ClassDefaults& qwen2_5_vl_text_defaults();
// model_type "qwen2_5_vl": Qwen2_5_VLConfig's own fields (token ids, tie_word_embeddings).
const config_json::ClassDefaults& qwen2_5_vl_defaults();
// model_type "qwen2_5_vl_vision": Qwen2_5_VLVisionConfig.
const config_json::ClassDefaults& qwen2_5_vl_vision_defaults();

// Qwen2.5-VL's M-RoPE sections when the config's rope parameters carry none: transformers 5.25.0
// modeling_qwen2_5_vl.py Qwen2_5_VLRotaryEmbedding, `rope_parameters.get("mrope_section", [16, 24, 24])`.
constexpr int64_t kDefaultMropeSection[3] = {16, 24, 24};

}  // namespace pevlm::qwen2_5_vl
