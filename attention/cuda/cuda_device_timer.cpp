// DeviceTimer on CUDA events (PEVLM_CUDA builds only); see attention/device_timer.h.
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

class CudaEventTimer final : public DeviceTimer {
 public:
  ~CudaEventTimer() override {
    for (cudaEvent_t e : events_) cudaEventDestroy(e);
  }
  int mark() override {
    cudaEvent_t e{};
    check(cudaEventCreate(&e), "cudaEventCreate");
    events_.push_back(e);
    check(cudaEventRecord(e, c10::cuda::getCurrentCUDAStream().stream()), "cudaEventRecord");
    return int(events_.size()) - 1;
  }
  double ms(int from, int to) override {
    check(cudaEventSynchronize(events_.at(size_t(to))), "cudaEventSynchronize");
    float ms = 0.f;
    check(cudaEventElapsedTime(&ms, events_.at(size_t(from)), events_.at(size_t(to))), "cudaEventElapsedTime");
    return double(ms);
  }
  const char* kind() const override { return "cuda_events"; }

 private:
  std::vector<cudaEvent_t> events_;
};

}  // namespace

std::unique_ptr<DeviceTimer> make_cuda_event_timer() { return std::make_unique<CudaEventTimer>(); }

}  // namespace pevlm::attention
