// Internal: factories of the concrete executors and helpers they share.
#pragma once

#include <memory>

#include "attention/executor.h"

namespace pevlm::attention {

std::unique_ptr<Executor> make_reference_executor();
std::unique_ptr<Executor> make_cpu_pieces_executor();  // libtorch flash call per piece + LSE merge
std::unique_ptr<Executor> make_fused_cpu_executor();   // fused/ (the default "cpu")

// Checks shapes, dtypes and GQA divisibility; throws std::invalid_argument naming the problem.
void check_inputs(const AttentionInputs& in, int64_t queries, int64_t keys);
// in.scale, or 1/sqrt(head_dim) when it is 0.
double resolved_scale(const AttentionInputs& in);

}  // namespace pevlm::attention
