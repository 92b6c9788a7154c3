// Loads the VideoLM of a model folder: the family from config.json (models/video_lm/family.h), then
// that family's loader on the chosen device with the resolved executor, timed (load figures).
// The harness's only list of families; every other harness file sees VideoLM.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "harness/device_spec.h"
#include "models/video_lm/video_lm.h"

namespace pevlm {

// dtype: auto | bf16 | fp32; executor: make_executor name or "auto" (the device's default);
// options: the family's model options (eval `model_options:`; qwen2_5_vl takes none). Throws naming
// the folder and listing the supported families for an unknown one.
std::unique_ptr<VideoLM> load_video_lm(const std::filesystem::path& dir, const std::string& dtype, const std::string& executor,
                                       const DeviceSpec& device = resolve_device("cpu"),
                                       const nlohmann::json& options = nlohmann::json::object());

}  // namespace pevlm
