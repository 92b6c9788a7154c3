// The families behind VideoLM, by name (library pevlm_video_lm_registry, which links every family):
// construct a model folder's VideoLM from a LoadRequest (the family from its config.json, family.h),
// and `pevlm make-tiny-model`'s dispatch to each family's tiny-checkpoint writer. The only list of
// family constructors; the harness sees VideoLM and these functions (its CLI parses the arguments:
// harness/eval/make_tiny_command.cpp).
#pragma once

#include <cstdint>
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

// What `pevlm make-tiny-model` asks for. qwen2_5_vl (the default) alone takes preset, size and
// shard_bytes (qwen2_5_vl/tiny_model.h); layout "onevision" is llava_video's original-code layout.
struct TinyModelRequest {
  std::string family = "qwen2_5_vl";
  std::string layout = "lmms_lab";  // lmms_lab | onevision (llava_video)
  uint64_t seed = 0;
  bool bf16 = true;
  std::string preset;          // qwen2_5_vl: real dimensions, random weights
  std::string size = "base";   // qwen2_5_vl: base | small (a draft)
  int64_t shard_bytes = 0;     // qwen2_5_vl: > 0 splits the weights into shards
};
struct TinyModelWritten {
  std::string summary;             // "tiny qwen2_5_vl checkpoint (N parameters, bf16, seed S, size base)"
  std::vector<std::string> files;  // paths written
};
// Writes the family's tiny checkpoint into `dir`. Throws std::invalid_argument naming the field and listing
// the valid values (unknown family, layout, size or preset; an option the family does not take).
TinyModelWritten write_tiny_model(const std::string& dir, const TinyModelRequest& request);
// The families make-tiny-model writes, in order ("qwen2_5_vl, qwen3_vl, ...").
std::string tiny_model_families_text();

// The LLM presets the families register (presets.h lists them with the Qwen2-7B ones): Qwen2.5-VL's
// config_preset names, then Qwen3-VL's (its text part as the shared decoder's Qwen3 variant), in order.
std::vector<LlmSpec> family_llm_presets();
// The LLM of a config.json / model folder in a layout a family reads for timing (Qwen3-VL's load_config
// for a qwen3_vl folder, else Qwen2.5-VL's); throws what the reader throws (naming the file and key).
LlmSpec llm_spec_from_config(const std::string& path);

}  // namespace pevlm
