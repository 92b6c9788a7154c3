// Random tensors drawn where they are used; see random_fill.h.
#include "attention/random_fill.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/detail/CUDAHooksInterface.h>

#include <algorithm>

#include "attention/devices.h"
#include "attention/parallel_for.h"

namespace pevlm::attention {

uint64_t mix_seed(uint64_t seed, uint64_t index) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ull * (index + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

at::Tensor random_normal(c10::IntArrayRef shape, uint64_t seed, const c10::Device& device) {
  const c10::Device where = indexed_device(device);
  at::Tensor t = at::empty(shape, at::TensorOptions().dtype(at::kFloat).device(where));
  if (where.is_cuda()) {
    // libtorch's CUDA generator through the hooks, so this file needs no CUDA headers.
    at::Generator gen = at::detail::getCUDAHooks().getNewGenerator(where.index());
    gen.set_current_seed(seed);
    return t.normal_(0.0, 1.0, gen);
  }
  if (!where.is_cpu()) return t;
  constexpr int64_t kChunk = int64_t(1) << 20;
  const int64_t n = t.numel();
  at::Tensor flat = t.view({-1});
  // Chunks as the parallel grain: the split is fixed by kChunk, not by the thread count. ATen ops
  // inside a parallel region run single-threaded (the vectorised normal fill on each chunk).
  at::parallel_for(0, (n + kChunk - 1) / kChunk, 1, [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(mix_seed(seed, uint64_t(c)));
      flat.narrow(0, c * kChunk, std::min(kChunk, n - c * kChunk)).normal_(0.0, 1.0, gen);
    }
  });
  return t;
}

}  // namespace pevlm::attention
