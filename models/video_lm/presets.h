// The LLM dimensions of the released checkpoints of every family, for `pevlm speed` / `pevlm analyze`
// (`model:` a preset name): timing with the real shapes needs no weights. Qwen2.5-VL's come from its
// config_preset (registered in registry.cpp); the other two are Qwen2-7B decoders
// (../shared/reference/more_models.md) with 1-D RoPE. Library pevlm_video_lm_registry (it needs every
// family's presets).
#pragma once

#include <string>
#include <vector>

#include "models/llm/text_config.h"

namespace pevlm {

// One LLM's dimensions without weights.
struct LlmSpec {
  std::string name;        // the preset's name ("qwen2.5-vl-7b", ...), or "" for a file
  std::string model_type;  // the family's model_type, or the preset name for the Qwen2-7B presets
  std::string source;      // "preset:<name>" or the config.json read
  llm::TextConfig text;
};

// "qwen2.5-vl-7b", "qwen2.5-vl-3b", "llava-video-7b", "longvila-7b".
std::vector<std::string> llm_preset_names();
// The preset's LLM; "-instruct" / "-qwen2" / "-256f" suffixes are accepted. Throws
// std::invalid_argument listing the valid names.
LlmSpec llm_preset(const std::string& name);
// `model:` of a speed / analyze config: a preset name of any family (case-insensitive) or an existing
// config.json / model folder (Qwen2.5-VL's layout). Errors start with `where` and list the presets.
LlmSpec model_config_from_spec(const std::string& spec, const std::string& where);

}  // namespace pevlm
