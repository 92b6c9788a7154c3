// CUDA executor (built only with -DPEVLM_CUDA=ON): the batched executor's plan grouping on CUDA
// tensors, through libtorch's fused kernels (FlashAttention-2 for bf16/fp16, memory-efficient
// attention for fp32), optionally with the custom sink + block kernel (sink_block_attention.h)
// for runs of blocks that see one shared key range (sink / prefix / anchor). kernel() reports
// what actually ran.
#pragma once

#include <memory>

#include "attention/executor.h"

namespace pevlm::attention {

// use_sink_block_kernel: run sink + block runs (bf16, head_dim 64/128, one logit group) with the
// custom kernel; other ranges still use the fused library calls. Throws std::runtime_error if
// requested in a build without the kernel (no CUDA compiler at configure time).
std::unique_ptr<Executor> make_cuda_executor(bool use_sink_block_kernel);

}  // namespace pevlm::attention
