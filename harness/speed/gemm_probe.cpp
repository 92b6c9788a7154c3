#include "harness/speed/gemm_probe.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <vector>

#include "attention/devices.h"
#include "attention/random_fill.h"

namespace pevlm {
namespace {

double gemm_gflops(at::ScalarType dtype, int64_t n, int repeats, const at::Device& device) {
  const at::Tensor a = attention::random_normal({n, n}, 0, device).to(dtype), b = attention::random_normal({n, n}, 1, device).to(dtype);
  at::Tensor c = at::mm(a, b);  // warm-up
  std::vector<double> secs;
  for (int r = 0; r < repeats; ++r) {
    attention::synchronize_device(device);
    const auto t0 = std::chrono::steady_clock::now();
    at::mm_out(c, a, b);
    attention::synchronize_device(device);
    secs.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(secs.begin(), secs.end());
  return 2.0 * double(n) * double(n) * double(n) / secs[secs.size() / 2] / 1e9;
}

}  // namespace

nlohmann::json GemmRates::to_json() const {
  return {{"bf16_gflops_per_s", bf16_gflops}, {"bf16_size", bf16_size}, {"fp32_gflops_per_s", fp32_gflops},
          {"fp32_size", fp32_size}, {"best_gflops_per_s", best()}, {"best_dtype", best_dtype()}};
}

GemmRates measure_gemm_rates(int repeats, const at::Device& device) {
  GemmRates r;
  // A GPU needs a larger problem to reach its peak (8192^3 bf16 is ~1 ms on an H100).
  const int64_t big = device.is_cuda() ? 8192 : 2048;
  r.fp32_size = big;
  r.fp32_gflops = gemm_gflops(at::kFloat, r.fp32_size, repeats, device);
  r.bf16_size = 512;
  r.bf16_gflops = gemm_gflops(at::kBFloat16, r.bf16_size, 1, device);
  if (r.bf16_gflops > 20.0) {
    r.bf16_size = big;
    r.bf16_gflops = gemm_gflops(at::kBFloat16, r.bf16_size, repeats, device);
  }
  return r;
}

}  // namespace pevlm
