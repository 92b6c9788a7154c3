// DeviceTimer on CUDA events (PEVLM_CUDA builds only); see attention/device_timer.h.
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "attention/device_timer.h"

namespace pevlm::attention {
namespace {

void check(cudaError_t err, const char* what) {
  if (err != cudaSuccess) throw std::runtime_error(std::string("CUDA event timer: ") + what + ": " + cudaGetErrorString(err));
}

// Events of `device` on that device's current stream (cuda:N with N != 0 included): an event is
// created on, and must be recorded on a stream of, the current device, so each mark sets it.
class CudaEventTimer final : public DeviceTimer {
 public:
  explicit CudaEventTimer(const c10::Device& device) : device_(device) {}
  ~CudaEventTimer() override {
    for (cudaEvent_t e : events_) cudaEventDestroy(e);
  }
  int mark() override {
    const c10::cuda::CUDAGuard guard(device_);
    cudaEvent_t e{};
    check(cudaEventCreate(&e), "cudaEventCreate");
    events_.push_back(e);
    check(cudaEventRecord(e, c10::cuda::getCurrentCUDAStream(device_.index()).stream()), "cudaEventRecord");
    return int(events_.size()) - 1;
  }
  double ms(int from, int to) override {
    const c10::cuda::CUDAGuard guard(device_);
    check(cudaEventSynchronize(events_.at(size_t(to))), "cudaEventSynchronize");
    float ms = 0.f;
    check(cudaEventElapsedTime(&ms, events_.at(size_t(from)), events_.at(size_t(to))), "cudaEventElapsedTime");
    return double(ms);
  }
  const char* kind() const override { return "cuda_events"; }

 private:
  c10::Device device_;
  std::vector<cudaEvent_t> events_;
};

}  // namespace

std::unique_ptr<DeviceTimer> make_cuda_event_timer(const c10::Device& device) {
  return std::make_unique<CudaEventTimer>(device);
}

}  // namespace pevlm::attention
