// `--device cpu|cuda|cuda:N` (and `device:` in configs) for eval, generate and speed (issue 10).
// The device is separate from the executor (a kernel family); a pair that cannot run together is an
// error that says why, never a silent switch.
#pragma once

#include <c10/core/Device.h>

#include <string>

#include <nlohmann/json.hpp>

namespace pevlm {

struct DeviceSpec {
  c10::Device device = c10::kCPU;  // "cuda" is normalised to cuda:0
  std::string name;                // "cpu", "cuda:0"
  std::string description;         // "cpu: <model> (avx512_bf16, ...)" or "cuda:0: NVIDIA H200 (sm_90, 139.8 GiB)"
  nlohmann::json to_json() const;  // {"device", "description", "gpu": {...} on CUDA}
};

// True when this pevlm was built with CUDA (cmake -DPEVLM_CUDA=ON against a CUDA libtorch).
bool built_with_cuda();

// Parses and checks a device: "cpu", "cuda", "cuda:N". Throws std::invalid_argument for another
// spelling (listing the valid ones), for cuda in a CPU-only build (naming the build option), and
// for a CUDA device that this machine does not have.
DeviceSpec resolve_device(const std::string& text);

// The executor to use: `executor` as given ("auto" or "" -> the device's default), checked against
// the device (attention::check_executor_device). Throws std::invalid_argument on a conflict.
std::string resolve_executor(const std::string& executor, const DeviceSpec& device);

}  // namespace pevlm

namespace pevlm {

// Memory figures for result rows: the process's peak resident set (host, never decreases) and, on
// CUDA, the caching allocator's peak of allocated bytes since the last reset_device_peak().
struct MemoryFigures {
  double peak_host_mib = 0;
  double peak_device_mib = -1;  // -1 on the CPU (host memory is the device memory)
  nlohmann::json to_json() const;
};
MemoryFigures memory_figures(const DeviceSpec& device);
void reset_device_peak(const DeviceSpec& device);

}  // namespace pevlm
