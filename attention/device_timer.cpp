// DeviceTimer factory and its steady-clock implementation; see device_timer.h.
#include "attention/device_timer.h"

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "attention/devices.h"

namespace pevlm::attention {
namespace {

class ClockTimer final : public DeviceTimer {
 public:
  int mark() override {
    points_.push_back(std::chrono::steady_clock::now());
    return int(points_.size()) - 1;
  }
  double ms(int from, int to) override {
    return std::chrono::duration<double, std::milli>(points_.at(size_t(to)) - points_.at(size_t(from))).count();
  }
  const char* kind() const override { return "steady_clock"; }

 private:
  std::vector<std::chrono::steady_clock::time_point> points_;
};

}  // namespace

std::unique_ptr<DeviceTimer> make_clock_timer() { return std::make_unique<ClockTimer>(); }

std::unique_ptr<DeviceTimer> DeviceTimer::make(const c10::Device& device) {
  if (device.is_cuda()) {
#ifdef PEVLM_WITH_CUDA
    return make_cuda_event_timer(indexed_device(device));
#else
    throw std::invalid_argument("DeviceTimer: device " + device.str() +
                                " needs a CUDA build of pevlm (cmake -DPEVLM_CUDA=ON); this build is CPU-only");
#endif
  }
  return make_clock_timer();
}

}  // namespace pevlm::attention
