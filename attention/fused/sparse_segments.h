// Per-head SparsePlan (issue 25) -> fused kernel segments: one segment per query block of one head;
// the block's key intervals cut at the block's first query: pieces before it are plain ranges, the
// piece from it on is causal (the kernel clips causal ranges at each query's position and chunks
// only those along the diagonal).
#pragma once

#include <vector>

#include "attention/fused/fused_work.h"
#include "methods/sparse_plan.h"

namespace pevlm::attention::fused {

std::vector<Segment> sparse_head_segments(const SparsePlan& plan, int64_t head);

// Whether the fused kernel suits the plan: its intervals average at least `min_mean_keys` keys (key
// blocks: XAttention, forced density). Plans of many single columns (vertical-slash's verticals)
// would cut the packed K/V into a 16-key-aligned piece per column; the gathered path runs those.
bool sparse_plan_is_coarse(const SparsePlan& plan, double min_mean_keys = 32.0);

}  // namespace pevlm::attention::fused
