#include "attention/batched/sdpa_backend.h"

#include <ATen/ATen.h>

#include <stdexcept>

namespace pevlm::attention::batched {
namespace {

std::string shape_str(const at::Tensor& q, const at::Tensor& k) {
  return "q " + c10::str(q.sizes()) + " " + c10::toString(q.scalar_type()) + " on " + q.device().str() + ", k " +
         c10::str(k.sizes());
}

// Runs `fn`, turning a libtorch error into one that names the kernel that failed (no fallback).
template <typename Fn>
auto named(const char* kernel, const at::Tensor& q, const at::Tensor& k, Fn&& fn) {
  try {
    return fn();
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("batched attention: kernel ") + kernel + " failed for " + shape_str(q, k) +
                             ": " + e.what());
  }
}

Attended attend_cpu(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, bool causal, double scale) {
  const char* kernel = "aten_flash_attention_cpu";
  auto [out, lse] = named(kernel, q, k, [&] {
    return at::_scaled_dot_product_flash_attention_for_cpu(q, k, v, 0.0, causal, std::nullopt, scale);
  });
  return {out, lse, kernel};
}

Attended attend_cuda(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, bool causal, double scale) {
  const auto dt = q.scalar_type();
  if (dt == at::kBFloat16 || dt == at::kHalf) {
    const char* kernel = "aten_flash_attention_cuda";
    auto r = named(kernel, q, k, [&] {
      return at::_scaled_dot_product_flash_attention(q, k, v, 0.0, causal, /*return_debug_mask=*/false, scale);
    });
    return {std::get<0>(r), std::get<1>(r), kernel};
  }
  if (dt != at::kFloat)
    throw std::invalid_argument("batched attention: CUDA dtype must be bf16, fp16 or fp32, got " +
                                std::string(c10::toString(dt)));
  // Memory-efficient attention has no GQA: repeat each KV head for its query heads.
  const char* kernel = "aten_efficient_attention_cuda(kv_repeated)";
  const int64_t rep = q.size(1) / k.size(1);
  at::Tensor kr = rep == 1 ? k : k.repeat_interleave(rep, 1), vr = rep == 1 ? v : v.repeat_interleave(rep, 1);
  auto r = named(kernel, q, k, [&] {
    return at::_scaled_dot_product_efficient_attention(q, kr, vr, std::nullopt, /*compute_log_sumexp=*/true, 0.0, causal,
                                                       scale);
  });
  // Its logsumexp rows are padded to a multiple of 32.
  return {std::get<0>(r), std::get<1>(r).narrow(2, 0, q.size(2)), kernel};
}

}  // namespace

Attended attend(const at::Tensor& q_BHnD, const at::Tensor& k_BHmD, const at::Tensor& v_BHmD, bool causal, double scale) {
  if (q_BHnD.dim() != 4 || k_BHmD.dim() != 4 || v_BHmD.sizes() != k_BHmD.sizes())
    throw std::invalid_argument("batched attention: expected q [B, Hq, n, D], k = v [B, Hkv, m, D]; got " +
                                shape_str(q_BHnD, k_BHmD));
  if (q_BHnD.size(1) % k_BHmD.size(1) != 0)
    throw std::invalid_argument("batched attention: query heads must be a multiple of KV heads; " + shape_str(q_BHnD, k_BHmD));
  if (causal && q_BHnD.size(2) != k_BHmD.size(2))
    throw std::invalid_argument("batched attention: a causal piece must be square (n == m); " + shape_str(q_BHnD, k_BHmD));
  if (q_BHnD.device() != k_BHmD.device())
    throw std::invalid_argument("batched attention: q and k on different devices; " + shape_str(q_BHnD, k_BHmD));
  Attended a = q_BHnD.is_cuda() ? attend_cuda(q_BHnD, k_BHmD, v_BHmD, causal, scale)
                                : attend_cpu(q_BHnD, k_BHmD, v_BHmD, causal, scale);
  if (a.lse_BHn.scalar_type() != at::kFloat) a.lse_BHn = a.lse_BHn.to(at::kFloat);
  return a;
}

}  // namespace pevlm::attention::batched
