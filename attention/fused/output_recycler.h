// The executor's output buffer, handed out again once the caller has dropped the previous one.
//
// Why: an attention call's output is large (118 MB for a 16k-token 7B layer in bf16) and glibc serves
// allocations above 32 MB with a fresh mmap, so every call's first write to each page traps into the
// kernel, which zeroes the page (`clear_page_erms`: ~5 % of a PEVLM sys+2f/4f prefill at 16k even on
// huge pages). That cost is fixed per call, so it shrinks a cheap method's measured speedup most. A
// model consumes each layer's attention output (o_proj) before the next layer's attention runs, so
// the buffer is free again at the next call; a caller still holding it (any tensor or view sharing
// its storage) gets a fresh allocation instead, so reuse never aliases live data. The contents are
// stale, exactly like at::empty: every executor path writes every output row.
#pragma once

#include <ATen/ATen.h>

#include <mutex>

namespace pevlm::attention::fused {

class OutputRecycler {
 public:
  // A contiguous tensor of `sizes` and `options`: the kept buffer when nothing else references it
  // and it is large enough, else a fresh one (kept for next time).
  at::Tensor take(at::IntArrayRef sizes, const at::TensorOptions& options) {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t numel = 1;
    for (int64_t s : sizes) numel *= s;
    const bool free = kept_.defined() && kept_.storage().use_count() == 1;
    if (free && kept_.numel() >= numel && kept_.dtype() == options.dtype() && kept_.device() == options.device())
      return kept_.narrow(0, 0, numel).view(sizes);
    at::Tensor fresh = at::empty({numel}, options);
    // Keep the newest buffer only when the old one is free (or absent): a caller holding outputs
    // never makes the executor retain a second copy.
    if (!kept_.defined() || free) kept_ = fresh;
    return fresh.view(sizes);
  }

 private:
  std::mutex mu_;
  at::Tensor kept_;
};

}  // namespace pevlm::attention::fused
