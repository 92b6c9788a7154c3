// One fused attention call with its log-sum-exp, on CPU or CUDA, through libtorch 2.x's own
// kernels (machine.md, "libtorch 2.x attention entry points"). Never falls back silently: a kernel
// that cannot run throws std::runtime_error naming it, and the caller records the kernel used.
#pragma once

#include <string>

#include <ATen/core/Tensor.h>

namespace pevlm::attention::batched {

struct Attended {
  at::Tensor out_BHnD;  // [B, Hq, n, D], input dtype
  at::Tensor lse_BHn;   // [B, Hq, n] float32, natural log of the softmax normaliser (scaled logits)
  std::string kernel;   // e.g. "aten_flash_attention_cpu"
};

// q_BHnD [B, Hq, n, D] against k/v_BHmD [B, Hkv, m, D] (Hq % Hkv == 0, GQA by head index), views
// with a contiguous last dimension are fine. `causal` requires n == m (square diagonal block, where
// top-left and bottom-right alignment coincide). Kernels: CPU -> _scaled_dot_product_flash_attention_for_cpu
// (fp32, bf16); CUDA bf16/fp16 -> _scaled_dot_product_flash_attention (FlashAttention-2, GQA native);
// CUDA fp32 -> _scaled_dot_product_efficient_attention with K/V repeated per query head (no GQA there).
Attended attend(const at::Tensor& q_BHnD, const at::Tensor& k_BHmD, const at::Tensor& v_BHmD, bool causal, double scale);

}  // namespace pevlm::attention::batched
