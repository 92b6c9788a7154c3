// Stage timing that measures the device's work, not its launches (issue 10, "Timing on the GPU").
// On the CPU a steady clock (CPU kernels run synchronously, so a clock read is the work's end); on
// CUDA events recorded on the device's current stream and read after the run, so timing adds no
// synchronisation inside the measured run: marks cost one event record each (~1 us).
//
//   auto t = DeviceTimer::make(x.device());
//   const int a = t->mark(); ...work...; const int b = t->mark();
//   double ms = t->ms(a, b);   // waits for mark b on CUDA
#pragma once

#include <c10/core/Device.h>

#include <memory>

namespace pevlm::attention {

class DeviceTimer {
 public:
  // The timer for `device`: CPU (steady clock) or CUDA (events; needs a PEVLM_CUDA build, else
  // std::invalid_argument). Other devices (meta, used by placement tests) get the steady clock.
  static std::unique_ptr<DeviceTimer> make(const c10::Device& device);
  virtual ~DeviceTimer() = default;
  // Records a point in the device's work queue; returns its id (0, 1, 2, ...).
  virtual int mark() = 0;
  // Milliseconds from mark `from` to mark `to`; on CUDA waits until `to` has been reached.
  virtual double ms(int from, int to) = 0;
  // What this timer measures with, for result rows ("steady_clock" or "cuda_events").
  virtual const char* kind() const = 0;
};

// The CPU implementation (also used for meta tensors).
std::unique_ptr<DeviceTimer> make_clock_timer();
#ifdef PEVLM_WITH_CUDA
// attention/cuda/cuda_device_timer.cpp; `device` indexed (devices.h).
std::unique_ptr<DeviceTimer> make_cuda_event_timer(const c10::Device& device);
#endif

}  // namespace pevlm::attention
