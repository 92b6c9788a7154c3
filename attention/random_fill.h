// Random tensors for timing with real dimensions (pevlm speed, random-weight LLMs, make-tiny-model
// --preset; issue 21): a 7B model's ~8 G weights plus 100k-token inputs took ~100 s drawn on one CPU
// thread and then copied to the GPU. Drawn where they are used instead: on CUDA by a generator on the
// device, on the CPU in fixed chunks filled in parallel.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>

namespace pevlm::attention {

// N(0, 1) float32 of `shape` on `device`, a function of `seed` (and the device kind) only:
//  - CPU: fixed chunks of 2^20 values, chunk c from its own generator seeded mix(seed, c), filled in
//    parallel (at::parallel_for): the same numbers on any thread count;
//  - CUDA: a fresh generator on that device seeded with `seed`; no host work, no copy;
//  - other devices (meta, placement tests): an empty tensor there (no values to draw).
at::Tensor random_normal(c10::IntArrayRef shape, uint64_t seed, const c10::Device& device);

// A seed for item `index` of a family of draws (tensor n of a model, chunk c of a tensor): splitmix64.
uint64_t mix_seed(uint64_t seed, uint64_t index);

}  // namespace pevlm::attention
