// Qwen2.5-VL's language model loaded from a Hugging Face folder onto the shared Qwen decoder
// (models/llm/decoder.h) (library pevlm_qwen_llm).
#pragma once

#include <string>

#include "models/llm/decoder.h"

namespace pevlm::qwen2_5_vl {

// Reads config.json (load_config: M-RoPE sections, tied head) and the checkpoint of `model_dir`
// (either weight layout, llm::load_weights) in options.dtype onto options.device.
llm::Decoder load_llm(const std::string& model_dir, llm::DecoderOptions options = {});

}  // namespace pevlm::qwen2_5_vl
