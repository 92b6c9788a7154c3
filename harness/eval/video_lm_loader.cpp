// Loading a model folder's VideoLM on a device; see video_lm_loader.h.
#include "harness/eval/video_lm_loader.h"

#include <chrono>

#include "attention/executor.h"
#include "models/video_lm/family.h"
#include "models/video_lm/registry.h"

namespace pevlm {

std::unique_ptr<VideoLM> load_video_lm(const std::filesystem::path& dir, const std::string& dtype, const std::string& executor,
                                       const DeviceSpec& device, const nlohmann::json& options) {
  detect_family(dir);  // an unsupported folder fails first, naming the folder and the supported families
  LoadRequest request;
  request.dtype = dtype;
  request.device = device.device;
  request.device_name = device.name;
  request.executor = attention::make_executor(resolve_executor(executor, device));  // a conflict fails before loading
  request.options = options.is_null() ? nlohmann::json::object() : options;
  const auto t0 = std::chrono::steady_clock::now();
  reset_device_peak(device);
  std::unique_ptr<VideoLM> model = make_video_lm(dir, request);
  nlohmann::json figures = memory_figures(device).to_json();
  figures["ms"] = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  model->set_load_figures(figures);
  return model;
}

}  // namespace pevlm
