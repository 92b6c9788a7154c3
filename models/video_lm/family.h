// Which model family a Hugging Face folder holds, from its config.json (torch-free; library
// pevlm_video_lm_family). The harness loads the family's VideoLM from this name.
//   qwen2_5_vl:  model_type "qwen2_5_vl" / Qwen2_5_VLForConditionalGeneration
//   qwen3_vl:    model_type "qwen3_vl" / Qwen3VLForConditionalGeneration (dense; "qwen3_vl_moe" is not supported)
//   llava_video: model_type "llava_qwen" (lmms-lab LLaVA-Video, LlavaQwenForCausalLM) or
//                "llava_onevision" (transformers' conversion, LlavaOnevisionForConditionalGeneration)
//   longvila:    model_type "llava_llama" (VILA) with an llm/ sub-folder
// (../shared/reference/more_models.md).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace pevlm {

// The supported family names, in a fixed order.
const std::vector<std::string>& supported_families();

// Reads `dir`/config.json. Throws std::runtime_error naming the folder and what config.json says
// (model_type, architectures) and listing the supported families when none matches, or naming the
// file when it is missing or not JSON.
std::string detect_family(const std::filesystem::path& dir);

}  // namespace pevlm
