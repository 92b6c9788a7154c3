// Per-head SparsePlan (issue 25) -> fused kernel segments: one one-head segment (Segment::q_head)
// per query block of each head. A block's key intervals are cut at the block's first query: pieces
// before it are plain ranges -- or, when shorter than kColumnIntervalMax keys (vertical-slash's
// vertical columns), single columns that the key layout gathers per head (key_layout.h) -- and the
// piece from it on is causal (the kernel clips causal ranges at each query's position and chunks
// only those along the diagonal).
#pragma once

#include <vector>

#include "attention/fused/fused_work.h"
#include "methods/sparse_plan.h"

namespace pevlm::attention::fused {

// Intervals shorter than this run as gathered columns rather than as ranges of their own.
constexpr int64_t kColumnIntervalMax = 16;

// Every head's segments, block-major (a block's heads consecutive, so make_work_items groups a GQA
// group's heads of one block into one item: WorkItem::heads).
std::vector<Segment> sparse_segments(const SparsePlan& plan);

}  // namespace pevlm::attention::fused
