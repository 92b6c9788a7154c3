// Device handling; see devices.h.
#include "attention/devices.h"

#include <stdexcept>

#ifdef PEVLM_WITH_CUDA
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
#endif

namespace pevlm::attention {

c10::Device indexed_device(const c10::Device& device) {
  if (device.is_cpu()) return c10::Device(c10::kCPU);
  if (!device.is_cuda() || device.has_index()) return device;
#ifdef PEVLM_WITH_CUDA
  // device_count() is 0 (never throws) without a GPU; current_device() then has nothing to report.
  if (c10::cuda::device_count() > 0) return c10::Device(c10::kCUDA, c10::cuda::current_device());
#endif
  return c10::Device(c10::kCUDA, 0);
}

void synchronize_device(const c10::Device& device) {
  if (!device.is_cuda()) return;
#ifdef PEVLM_WITH_CUDA
  const c10::Device d = indexed_device(device);
  const c10::cuda::CUDAGuard guard(d);
  c10::cuda::device_synchronize();
#else
  throw std::invalid_argument("device " + device.str() + " needs a CUDA build of pevlm (cmake -DPEVLM_CUDA=ON); this build is CPU-only");
#endif
}

}  // namespace pevlm::attention
