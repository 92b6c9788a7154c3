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
// Throws std::invalid_argument when a data-dependent plan (xattention, vertical_slash) reaches a static
// prefill: it must go through run_prefill (sparse_dispatch.h) so its estimator runs (no silent dense).
void check_static_plan(const AttentionPlan& plan, const std::string& executor);
// Block-sparse per-head prefill by gathered key blocks (sparse_gathered.cpp): device-agnostic ATen
// (bmm per query block, heads batched, keys gathered), memory O(heads x block x kept keys).
at::Tensor sparse_prefill_gathered(const SparsePlan& plan, const AttentionInputs& in);
// Dense per-head float64 reference of a SparsePlan (small L): the mask of SparsePlan::dense_mask.
at::Tensor sparse_prefill_reference(const SparsePlan& plan, const AttentionInputs& in);

// in.scale, or 1/sqrt(head_dim) when it is 0.
double resolved_scale(const AttentionInputs& in);

}  // namespace pevlm::attention
