// CUDA-event timing on a device's current libtorch stream (PEVLM_CUDA builds only): host clocks would
// time the asynchronous launch, not the kernel. Usage:
//   CudaTimer t(q.device()); t.start(); ...launches...; double ms = t.stop_ms();  // synchronises on the stop event
//   double ms = cuda_time_ms([&] { ex->prefill(plan, in); }, /*warmup=*/2, /*reps=*/5, q.device());  // best of reps
// The events are created and recorded with that device current (cuda:N with N != 0 included): an event
// recorded on another device's stream is an error.
#pragma once

#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace pevlm::attention::cuda {

class CudaTimer {
 public:
  // `device`: a CUDA device; index-less = the current device.
  explicit CudaTimer(const c10::Device& device = c10::Device(c10::kCUDA))
      : index_(device.has_index() ? device.index() : c10::cuda::current_device()) {
    const c10::cuda::CUDAGuard guard(index_);
    check(cudaEventCreate(&start_), "cudaEventCreate");
    check(cudaEventCreate(&stop_), "cudaEventCreate");
  }
  ~CudaTimer() {
    cudaEventDestroy(start_);
    cudaEventDestroy(stop_);
  }
  CudaTimer(const CudaTimer&) = delete;
  CudaTimer& operator=(const CudaTimer&) = delete;

  void start() {
    const c10::cuda::CUDAGuard guard(index_);
    check(cudaEventRecord(start_, c10::cuda::getCurrentCUDAStream(index_).stream()), "cudaEventRecord(start)");
  }
  // Milliseconds between start() and now on the device's current stream; waits for the stream to get there.
  double stop_ms() {
    const c10::cuda::CUDAGuard guard(index_);
    check(cudaEventRecord(stop_, c10::cuda::getCurrentCUDAStream(index_).stream()), "cudaEventRecord(stop)");
    check(cudaEventSynchronize(stop_), "cudaEventSynchronize");
    float ms = 0.f;
    check(cudaEventElapsedTime(&ms, start_, stop_), "cudaEventElapsedTime");
    return double(ms);
  }

 private:
  static void check(cudaError_t err, const char* what) {
    if (err != cudaSuccess) throw std::runtime_error(std::string("CudaTimer: ") + what + ": " + cudaGetErrorString(err));
  }
  c10::DeviceIndex index_;
  cudaEvent_t start_{}, stop_{};
};

// Best-of-`reps` time of fn() in milliseconds after `warmup` untimed calls, on `device`'s stream.
template <typename Fn>
double cuda_time_ms(Fn&& fn, int warmup, int reps, const c10::Device& device = c10::Device(c10::kCUDA)) {
  for (int i = 0; i < warmup; ++i) fn();
  CudaTimer timer(device);
  double best = 1e300;
  for (int i = 0; i < reps; ++i) {
    timer.start();
    fn();
    best = std::min(best, timer.stop_ms());
  }
  return best;
}

}  // namespace pevlm::attention::cuda
