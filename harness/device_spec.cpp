// Device parsing, checking and description; see device_spec.h.
#include "harness/device_spec.h"

#include <sys/resource.h>

#include <regex>
#include <stdexcept>

#include "attention/executor.h"
#include "harness/provenance.h"
#ifdef PEVLM_WITH_CUDA
#include <ATen/Context.h>
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#endif

namespace pevlm {
#ifdef PEVLM_WITH_CUDA
namespace {

// libtorch initialises CUDA (and sizes the caching allocator's per-device tables) on the first CUDA
// tensor; the allocator's statistics calls before that fail with "Invalid device argument 0: did you
// call init?" (issue 21). Initialise it as a tensor factory would; once per process (call_once inside).
void init_cuda() { at::globalContext().lazyInitDevice(c10::DeviceType::CUDA); }

}  // namespace
#endif

bool built_with_cuda() {
#ifdef PEVLM_WITH_CUDA
  return true;
#else
  return false;
#endif
}

nlohmann::json DeviceSpec::to_json() const { return {{"device", name}, {"description", description}}; }

DeviceSpec resolve_device(const std::string& text) {
  static const std::regex kCuda("cuda(:([0-9]+))?");
  std::smatch m;
  DeviceSpec d;
  if (text == "cpu") {
    d.name = "cpu";
    const nlohmann::json machine = provenance()["machine"];
    d.description = "cpu: " + machine.value("cpu", std::string("?"));
    return d;
  }
  if (!std::regex_match(text, m, kCuda))
    throw std::invalid_argument("device '" + text + "': expected cpu, cuda or cuda:N");
  const int index = m[2].matched ? std::stoi(m[2].str()) : 0;
#ifdef PEVLM_WITH_CUDA
  const int count = int(c10::cuda::device_count());
  if (index >= count)
    throw std::invalid_argument("device '" + text + "': this machine has " + std::to_string(count) +
                                " CUDA device(s)" + (count > 0 ? " (cuda:0 .. cuda:" + std::to_string(count - 1) + ")" : ""));
  init_cuda();  // before anything asks the allocator about the device (reset_device_peak at load)
  d.device = c10::Device(c10::kCUDA, c10::DeviceIndex(index));
  d.name = "cuda:" + std::to_string(index);
  const cudaDeviceProp* p = at::cuda::getDeviceProperties(index);
  char mem[32];
  std::snprintf(mem, sizeof(mem), "%.1f GiB", double(p->totalGlobalMem) / double(1 << 30));
  d.description = d.name + ": " + p->name + " (sm_" + std::to_string(p->major) + std::to_string(p->minor) + ", " + mem +
                  ", " + std::to_string(p->multiProcessorCount) + " SMs)";
  return d;
#else
  (void)index;
  throw std::invalid_argument("device '" + text + "': this pevlm is a CPU-only build (PEVLM_CUDA=OFF); build it against "
                              "a CUDA libtorch with cmake -DPEVLM_CUDA=ON (scripts/device/build.sh) to run on a GPU");
#endif
}

std::string resolve_executor(const std::string& executor, const DeviceSpec& device) {
  const std::string name = executor.empty() || executor == "auto" ? attention::default_executor_for(device.device) : executor;
  attention::check_executor_device(name, device.device);
  return name;
}

nlohmann::json MemoryFigures::to_json() const {
  nlohmann::json j = {{"peak_host_mib", peak_host_mib}};
  if (peak_device_mib >= 0) j["peak_device_mib"] = peak_device_mib;
  return j;
}

MemoryFigures memory_figures(const DeviceSpec& device) {
  MemoryFigures m;
  rusage ru{};
  if (getrusage(RUSAGE_SELF, &ru) == 0) m.peak_host_mib = double(ru.ru_maxrss) / 1024.0;  // KiB on Linux
#ifdef PEVLM_WITH_CUDA
  if (device.device.is_cuda()) {
    init_cuda();
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device.device.index());
    m.peak_device_mib = double(stats.allocated_bytes[0].peak) / double(1 << 20);  // [0] = aggregate pool
  }
#else
  (void)device;
#endif
  return m;
}

void reset_device_peak(const DeviceSpec& device) {
#ifdef PEVLM_WITH_CUDA
  if (device.device.is_cuda()) {
    init_cuda();
    c10::cuda::CUDACachingAllocator::resetPeakStats(device.device.index());
  }
#else
  (void)device;
#endif
}

}  // namespace pevlm
