// Family dispatch for model folders; see video_lm_loader.h.
#include "harness/eval/video_lm_loader.h"

#include <chrono>
#include <stdexcept>

#include "attention/executor.h"
#include "harness/eval/qwen_runtime.h"
#include "models/llava_video/model.h"
#include "models/longvila/model.h"
#include "models/video_lm/family.h"
#include "models/video_lm/qwen2_backbone.h"

namespace pevlm {
namespace {

// Constructs a family's VideoLM from a LoadRequest and records its load time and memory.
template <typename Model>
std::unique_ptr<VideoLM> load_timed(const std::filesystem::path& dir, LoadRequest request, const DeviceSpec& device) {
  const auto t0 = std::chrono::steady_clock::now();
  reset_device_peak(device);
  auto model = std::make_unique<Model>(dir, request);
  nlohmann::json figures = memory_figures(device).to_json();
  figures["ms"] = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  model->set_load_figures(figures);
  return model;
}

}  // namespace

std::unique_ptr<VideoLM> load_video_lm(const std::filesystem::path& dir, const std::string& dtype, const std::string& executor,
                                       const DeviceSpec& device, const nlohmann::json& options) {
  const std::string family = detect_family(dir);
  if (family == "qwen2_5_vl") {
    if (!options.is_null() && !options.empty())
      throw std::invalid_argument("model " + dir.string() + " (qwen2_5_vl) takes no model options, got " + options.dump());
    return std::make_unique<QwenRuntime>(dir, dtype, executor, device);
  }
  LoadRequest request;
  request.dtype = dtype;
  request.device = device.device;
  request.device_name = device.name;
  request.executor = attention::make_executor(resolve_executor(executor, device));  // a conflict fails before loading
  request.options = options.is_null() ? nlohmann::json::object() : options;
  if (family == "llava_video") return load_timed<llava_video::LlavaVideoLM>(dir, request, device);
  if (family == "longvila") return load_timed<longvila::LongVilaLM>(dir, request, device);
  throw std::logic_error("load_video_lm: family '" + family + "' is detected but has no loader");
}

}  // namespace pevlm
