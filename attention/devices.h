// Device handling shared by executors, models and the harness.
// One spelling per device (issue 21): c10::Device("cuda") (no index) does not compare equal to
// cuda:0, which every CUDA tensor reports, so a model told "cuda" would reject its own weights and an
// executor would see two devices. Every device the harness hands to models, executors and timers goes
// through indexed_device() first; tensors already carry the indexed form.
#pragma once

#include <c10/core/Device.h>

namespace pevlm::attention {

// CUDA without an index -> cuda:<current device> (cuda:0 when no device is visible or the build has
// no CUDA: the index torch itself would pick first); CPU -> "cpu" without an index (CPU tensors report
// index -1, so cpu:0 would not compare equal to them); others unchanged.
c10::Device indexed_device(const c10::Device& device);

// Waits until all queued work on `device` has finished (for host-clock timings of device work): a no-op
// on the CPU and the meta device; CUDA needs a PEVLM_CUDA build (else std::invalid_argument naming it).
void synchronize_device(const c10::Device& device);

}  // namespace pevlm::attention
