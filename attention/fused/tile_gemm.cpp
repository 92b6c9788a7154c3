#include "attention/fused/tile_gemm.h"

#include "attention/cpu_caps.h"

#include <ATen/ATen.h>
#include <ATen/native/CPUBlas.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <vector>

namespace pevlm::attention::fused {
namespace {

using at::native::cpublas::brgemm;

// GFLOP/s of one core on the kernel's QK^T tile shape (224 rows x 512 keys x 128), median of 5.
template <typename T>
double calibrate(bool vnni) {
  constexpr int64_t M = 224, N = 512, K = 128;
  std::vector<T> a(M * K), b(K * N);
  for (size_t i = 0; i < a.size(); ++i) a[i] = T(float((i * 7919) % 13) / 13.0f - 0.5f);
  for (size_t i = 0; i < b.size(); ++i) b[i] = T(float((i * 104729) % 17) / 17.0f - 0.5f);
  std::vector<float> c(M * N);
  std::vector<double> secs;
  for (int r = 0; r < 6; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    brgemm(M, N, K, K, N, N, false, a.data(), b.data(), c.data(), vnni);
    if (r > 0) secs.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  if (vnni) at::native::cpublas::brgemm_release(true);
  std::sort(secs.begin(), secs.end());
  return 2.0 * M * N * K / secs[secs.size() / 2] / 1e9;
}

}  // namespace

// The bf16 VNNI path is calibrated, chosen or forced only where libtorch says it runs (cpu_caps.h):
// elsewhere cpublas::brgemm(..., is_vnni=true) throws, so asking by calling it is not an option.
GemmChoice choose_bf16_gemm(const attention::CpuCaps& caps, const char* forced, const std::function<GemmChoice()>& calibrate) {
  GemmChoice c;
  if (forced) {
    const std::string v = forced;
    if (v != "f32" && v != "bf16")
      throw std::invalid_argument("PEVLM_FUSED_GEMM='" + v + "': expected f32 or bf16 (or unset: choose by capability + calibration)");
    if (v == "bf16" && !caps.bf16_vnni_brgemm)
      throw std::runtime_error("PEVLM_FUSED_GEMM=bf16: this CPU cannot run libtorch's bf16 VNNI brgemm (" +
                               caps.bf16_vnni_reason + "); unset it or use f32");
    c.path = v == "bf16" ? GemmPath::Bf16Vnni : GemmPath::F32;
    c.reason = "forced by PEVLM_FUSED_GEMM=" + v;
    return c;
  }
  if (!caps.bf16_vnni_brgemm) {
    c.reason = "bf16 VNNI brgemm unsupported here: " + caps.bf16_vnni_reason;
    return c;
  }
  return calibrate();
}

namespace {

GemmChoice calibrated_choice() {
  GemmChoice c;
  c.f32_gflops = calibrate<float>(false);
  c.bf16_gflops = calibrate<at::BFloat16>(true);
  c.path = c.bf16_gflops > c.f32_gflops ? GemmPath::Bf16Vnni : GemmPath::F32;
  char buf[160];
  std::snprintf(buf, sizeof(buf), "calibrated per core: bf16 %.0f vs f32 %.0f GFLOP/s", c.bf16_gflops, c.f32_gflops);
  c.reason = buf;
  return c;
}

}  // namespace

const GemmChoice& bf16_gemm_choice() {
  static const GemmChoice c = choose_bf16_gemm(attention::cpu_caps(), std::getenv("PEVLM_FUSED_GEMM"), calibrated_choice);
  return c;
}

std::string gemm_path_name(GemmPath p) {
  return p == GemmPath::Bf16Vnni ? "cpublas::brgemm bf16xbf16->f32 (VNNI B)" : "cpublas::brgemm f32";
}

void gemm_qk(const PackedKv& kv, int64_t h, int64_t wb, int64_t m, int64_t n, const void* q, float* s, int64_t ld_s) {
  const int64_t D = kv.d, Lp = kv.lp;
  if (kv.path == GemmPath::F32) {
    const float* b = kv.kt.data_ptr<float>() + h * D * Lp + wb;
    brgemm(m, n, D, D, Lp, ld_s, false, static_cast<const float*>(q), b, s, false);
  } else {
    const at::BFloat16* b = kv.kt.data_ptr<at::BFloat16>() + h * D * Lp + wb * 2;
    brgemm(m, n, D, D, Lp, ld_s, false, static_cast<const at::BFloat16*>(q), b, s, true);
  }
}

void gemm_pv(const PackedKv& kv, int64_t h, int64_t wb, int64_t m, int64_t n, const void* p, int64_t ld_p, float* o,
             bool accumulate) {
  const int64_t D = kv.d, Lp = kv.lp;
  if (kv.path == GemmPath::F32) {
    const float* b = kv.v.data_ptr<float>() + (h * Lp + wb) * D;
    brgemm(m, D, n, ld_p, D, D, accumulate, static_cast<const float*>(p), b, o, false);
  } else {
    TORCH_CHECK(wb % 2 == 0 && n % 2 == 0 && ld_p % 2 == 0, "fused attention: VNNI V window must be even-aligned");
    const at::BFloat16* b = kv.v.data_ptr<at::BFloat16>() + (h * Lp + wb) * D;
    brgemm(m, D, n, ld_p, D, D, accumulate, static_cast<const at::BFloat16*>(p), b, o, true);
  }
}

void gemm_release(GemmPath path) {
  if (path == GemmPath::Bf16Vnni) at::native::cpublas::brgemm_release(true);
}

}  // namespace pevlm::attention::fused
