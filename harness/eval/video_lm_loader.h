// Loads the VideoLM of a model folder on a device: the device and executor resolved here (DeviceSpec),
// handed to models/video_lm/registry.h as a LoadRequest of plain values (the family comes from the
// folder's config.json), timed with the device's memory figures (load figures). The harness names no
// family; every harness file sees VideoLM.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "harness/device_spec.h"
#include "models/video_lm/video_lm.h"

namespace pevlm {

// dtype: auto | bf16 | fp32; executor: make_executor name or "auto" (the device's default);
// options: the family's model options (eval `model_options:`; a family may take none). Throws naming
// the folder and listing the supported families for an unknown one.
std::unique_ptr<VideoLM> load_video_lm(const std::filesystem::path& dir, const std::string& dtype, const std::string& executor,
                                       const DeviceSpec& device = resolve_device("cpu"),
                                       const nlohmann::json& options = nlohmann::json::object());

}  // namespace pevlm
