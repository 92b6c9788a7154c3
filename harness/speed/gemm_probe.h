// The machine's practical matmul limit, measured in the same run as the attention timings
// (machine.md: efficiency figures compare against the best GEMM rate, not a slow shape).
#pragma once

#include <c10/core/Device.h>
#include <nlohmann/json.hpp>

namespace pevlm {

struct GemmRates {
  double bf16_gflops = 0;  // square bf16 matmul
  double fp32_gflops = 0;  // square fp32 matmul
  int64_t bf16_size = 0, fp32_size = 0;
  double best() const { return bf16_gflops > fp32_gflops ? bf16_gflops : fp32_gflops; }
  const char* best_dtype() const { return bf16_gflops > fp32_gflops ? "bf16" : "fp32"; }
  nlohmann::json to_json() const;
};

// Median of `repeats` n x n x n matmuls. bf16 is probed at 512 first: CPUs without native bf16
// (AVX2 only) run it ~100x slower, and a 2048 probe would then take a minute.
// On `device` (the executor's: CPU, or CUDA in a CUDA build), synchronised around each call.
GemmRates measure_gemm_rates(int repeats = 3, const at::Device& device = at::Device(at::kCPU));

}  // namespace pevlm
