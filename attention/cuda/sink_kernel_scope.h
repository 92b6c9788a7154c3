// Which work the custom sink+block CUDA kernel (sink_block_attention.h) takes, as plain C++ so every
// build compiles it and the CPU tests check it (issue 21: whether cuda_executor_test expected the kernel
// where the executor refuses it could only be found on a GPU; the rule and the tests' expectation are
// now one function, and tests/sink_kernel_scope_test.cpp states per method which runs it takes).
#pragma once

#include <cstdint>

#include "attention/batched/batch_grouping.h"
#include "methods/attention_plan.h"

namespace pevlm::attention::cuda {

// The kernel's run shape: exactly one shared key range (sink / prefix / anchor / everything before the
// question) in the same logit group as the blocks (one softmax), and every block the same size but a
// shorter last one. Runs with no shared keys (full attention, Block-Attention's context blocks) or
// several shared groups (APE's question: prefix and tempered context) stay on the fused libtorch calls.
bool sink_kernel_takes_run(const batched::BlockRun& run);

// The kernel's input format: bf16, head_dim 64 or 128, contiguous head_dim in q, k and v.
bool sink_kernel_takes_inputs(bool bf16, int64_t head_dim, bool head_dim_contiguous);

// True when some run of `plan`'s batch schedule has the kernel's shape (inputs permitting, the cuda
// executor with the kernel then reports it among its kernels).
bool sink_kernel_takes_plan(const AttentionPlan& plan);

}  // namespace pevlm::attention::cuda
