// CUDA-event timing on the current libtorch stream (PEVLM_CUDA builds only): host clocks would
// time the asynchronous launch, not the kernel. Usage:
//   CudaTimer t; t.start(); ...launches...; double ms = t.stop_ms();   // synchronises on the stop event
//   double ms = cuda_time_ms([&] { ex->prefill(plan, in); }, /*warmup=*/2, /*reps=*/5);  // best of reps
#pragma once

#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace pevlm::attention::cuda {

class CudaTimer {
 public:
  CudaTimer() {
    check(cudaEventCreate(&start_), "cudaEventCreate");
    check(cudaEventCreate(&stop_), "cudaEventCreate");
  }
  ~CudaTimer() {
    cudaEventDestroy(start_);
    cudaEventDestroy(stop_);
  }
  CudaTimer(const CudaTimer&) = delete;
  CudaTimer& operator=(const CudaTimer&) = delete;

  void start() { check(cudaEventRecord(start_, c10::cuda::getCurrentCUDAStream().stream()), "cudaEventRecord(start)"); }
  // Milliseconds between start() and now on the current stream; waits for the stream to get there.
  double stop_ms() {
    check(cudaEventRecord(stop_, c10::cuda::getCurrentCUDAStream().stream()), "cudaEventRecord(stop)");
    check(cudaEventSynchronize(stop_), "cudaEventSynchronize");
    float ms = 0.f;
    check(cudaEventElapsedTime(&ms, start_, stop_), "cudaEventElapsedTime");
    return double(ms);
  }

 private:
  static void check(cudaError_t err, const char* what) {
    if (err != cudaSuccess) throw std::runtime_error(std::string("CudaTimer: ") + what + ": " + cudaGetErrorString(err));
  }
  cudaEvent_t start_{}, stop_{};
};

// Best-of-`reps` time of fn() in milliseconds after `warmup` untimed calls.
template <typename Fn>
double cuda_time_ms(Fn&& fn, int warmup, int reps) {
  for (int i = 0; i < warmup; ++i) fn();
  CudaTimer timer;
  double best = 1e300;
  for (int i = 0; i < reps; ++i) {
    timer.start();
    fn();
    best = std::min(best, timer.stop_ms());
  }
  return best;
}

}  // namespace pevlm::attention::cuda
