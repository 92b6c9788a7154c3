// Custom CUDA kernel: sink + block attention forward (PEVLM's context blocks, methods.md): every
// query row of a context block attends to the shared sink keys, then causally to its own block,
// in one pass with an online softmax in fp32 (FlashAttention-2's recurrence, Dao 2023). bf16
// inputs and output, GQA by head index (query head h reads KV head h / (Hq / Hkv)), the sink K/V
// read in place (never copied or concatenated per block). Returns out and lse, so the result
// composes with other key ranges by log-sum-exp (attention/lse_merge.h).
// This header has no CUDA or torch dependency: tensors are raw device pointers with strides.
#pragma once

#include <cstdint>

namespace pevlm::attention::cuda {

// Row-major token-major tensors [tokens, heads, head_dim] with a contiguous head_dim; strides in
// elements. All rows are absolute token indices into q/k/v (the same sequence).
struct SinkBlockParams {
  const void* q = nullptr;  // bf16 [L, Hq, D]
  const void* k = nullptr;  // bf16 [L, Hkv, D]
  const void* v = nullptr;  // bf16 [L, Hkv, D]
  void* out = nullptr;      // bf16 rows [ctx_begin, ctx_begin + ctx_len) of an [L, Hq, D] tensor
  float* lse = nullptr;     // fp32 [Hq, ctx_len], natural-log normaliser of the scaled logits
  int64_t q_token_stride = 0, q_head_stride = 0;
  int64_t k_token_stride = 0, k_head_stride = 0;
  int64_t v_token_stride = 0, v_head_stride = 0;
  int64_t out_token_stride = 0, out_head_stride = 0;
  int64_t num_q_heads = 0, num_kv_heads = 0, head_dim = 0;  // head_dim 64 or 128
  int64_t sink_begin = 0, sink_len = 0;  // keys every block sees (may be 0)
  int64_t ctx_begin = 0, ctx_len = 0;    // query rows: consecutive blocks of block_size, the last may be shorter
  int64_t block_size = 0;
  float scale = 0.0f;  // softmax scale (1/sqrt(D) / temperature)
};

// Checks the parameters (std::invalid_argument naming the field) and launches on `stream`
// (a cudaStream_t; nullptr = the default stream). Throws std::runtime_error with the CUDA error
// string if the launch fails. Asynchronous like any kernel launch.
void launch_sink_block_attention(const SinkBlockParams& p, void* stream);

// Name recorded by executors that use it.
inline constexpr const char* kSinkBlockKernelName = "pevlm_sink_block_attention_cuda";

}  // namespace pevlm::attention::cuda
