// The LLM dimensions of the released checkpoints of every family, for `pevlm speed` (`model:` a preset
// name): timing with the real shapes needs no weights. Qwen2.5-VL's come from its config_preset; the
// other two are Qwen2-7B decoders (../shared/reference/more_models.md) with 1-D RoPE; Qwen3-VL's
// (2B / 4B / 8B) are its config_preset seen as the shared decoder's Qwen3 variant (text part only).
#pragma once

#include <string>
#include <vector>

#include "models/qwen2_5_vl/config.h"

namespace pevlm {

// "qwen2.5-vl-7b", "qwen2.5-vl-3b", "qwen3-vl-2b", "qwen3-vl-4b", "qwen3-vl-8b", "llava-video-7b", "longvila-7b".
std::vector<std::string> llm_preset_names();
// The preset's config (text part; Qwen2.5-VL's vision part too); "-instruct" / "-qwen2" / "-256f"
// suffixes are accepted. Throws std::invalid_argument listing the valid names.
qwen2_5_vl::Qwen25VLConfig llm_preset(const std::string& name);
// `model:` of a speed / analyze config: a preset name of any family (case-insensitive) or an existing
// config.json / model folder. Errors start with `where` and list the presets.
qwen2_5_vl::Qwen25VLConfig model_config_from_spec(const std::string& spec, const std::string& where);

}  // namespace pevlm
