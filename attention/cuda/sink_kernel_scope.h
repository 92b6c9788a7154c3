// Which work the custom sink+block CUDA kernel (sink_block_attention.h) takes, as plain C++ so every
// build compiles it and the CPU tests check it (issue 21: a test expected the kernel where this rule
// rightly refuses it; the rule and the tests' expectation are now one function).
#pragma once

#include <cstdint>

#include "attention/batched/batch_grouping.h"
#include "methods/attention_plan.h"

namespace pevlm::attention::cuda {

// The kernel's run shape: exactly one shared key range (sink / prefix / anchor / everything before the
// question) in the same logit group as the blocks (one softmax), and every block the same size but a
// shorter last one. Runs with no shared keys (full attention, Block-Attention's blocks) or several
// shared groups (APE's prefix under its temperature) stay on the fused libtorch calls.
bool sink_kernel_takes_run(const batched::BlockRun& run);

// The kernel's input format: bf16, head_dim 64 or 128, contiguous head_dim in q, k and v.
bool sink_kernel_takes_inputs(bool bf16, int64_t head_dim, bool head_dim_contiguous);

// True when some run of `plan`'s batch schedule has the kernel's shape (inputs permitting, the cuda
// executor with the kernel then reports it among its kernels).
bool sink_kernel_takes_plan(const AttentionPlan& plan);

}  // namespace pevlm::attention::cuda
