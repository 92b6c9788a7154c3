// The transformers class defaults of the plain Qwen2 decoder's config (library pevlm_llm_config): what a
// reader applies to a key that save_pretrained left out. Read from the project .venv's transformers
// 5.25.0 source (configuration_qwen2.py); scripts/golden/make_config_fixtures.py checks them against
// the installed class through files written by its save_pretrained (tests/config_defaults_test.cpp).
#pragma once

#include "models/llm/config_json.h"

namespace pevlm::llm {

// model_type "qwen2": Qwen2Config (also LLaVA-NeXT's LlavaQwenConfig(Qwen2Config) and VILA's llm/).
const config_json::ClassDefaults& qwen2_defaults();

}  // namespace pevlm::llm
