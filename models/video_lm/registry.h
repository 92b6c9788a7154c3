// The families behind VideoLM, by name (library pevlm_video_lm_registry, which links every family):
// construct a model folder's VideoLM from a LoadRequest (the family from its config.json, family.h),
// and `pevlm make-tiny-model`'s dispatch to each family's tiny-checkpoint writer. The only list of
// family constructors; the harness sees VideoLM and these two functions.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "models/video_lm/presets.h"
#include "models/video_lm/video_lm.h"

namespace pevlm {

// detect_family(dir), then that family's constructor with `request` (its model options included:
// a family that takes none rejects any, naming the folder). Throws naming the folder and listing the
// supported families for an unknown one.
std::unique_ptr<VideoLM> make_video_lm(const std::filesystem::path& dir, const LoadRequest& request);

// `pevlm make-tiny-model DIR [--family F] [family options]` (the arguments after the subcommand):
// qwen2_5_vl (the default) keeps its own options (--preset, --shard-mb, --size); the other families
// take [--seed N] [--dtype bf16|f32]. Prints what was written; returns 0, or 2 with a usage message.
int run_tiny_model_writer(const std::vector<std::string>& args);

// The LLM presets the families register (presets.h lists them with the Qwen2-7B ones): Qwen2.5-VL's
// config_preset names, in its order.
std::vector<LlmSpec> family_llm_presets();
// The LLM of a config.json / model folder in a layout a family reads for timing (Qwen2.5-VL's
// load_config); throws what the reader throws (naming the file and key).
LlmSpec llm_spec_from_config(const std::string& path);

}  // namespace pevlm
