// Grouping of an AttentionPlan's query ranges into batched kernel calls (device-agnostic, no
// torch): the parallel-encoding methods (methods.md: Block-Attention, APE, Star, PEVLM) give many
// context blocks that see the same shared head (sink / prefix / anchor) plus themselves causally.
// Such a run of consecutive blocks costs one call for "rows vs shared keys" (non-causal, all rows
// at once) plus one batched call per group of equal-size blocks for "block vs itself" (causal,
// square, so top-left and bottom-right alignment coincide), merged by log-sum-exp (lse_merge.h).
#pragma once

#include <cstdint>
#include <vector>

#include "methods/attention_plan.h"

namespace pevlm::attention::batched {

// Consecutive blocks of one size inside a run: rows [begin, begin + count * size).
struct EqualBlocks {
  int64_t begin = 0;
  int64_t size = 0;
  int64_t count = 0;
  int64_t end() const { return begin + count * size; }
};

// Consecutive query ranges [begin, end) that each see the same `shared` non-causal key ranges
// plus themselves causally (logit group `self_group`), cut into runs of equal-size blocks.
struct BlockRun {
  int64_t begin = 0;
  int64_t end = 0;
  std::vector<KeyRange> shared;  // coalesced, identical for every block of the run
  int self_group = 0;
  std::vector<EqualBlocks> blocks;
  int64_t num_ranges() const;
};

// A query range with any other key structure (question, decode): run piece by piece.
struct GenericRange {
  int64_t begin = 0;
  int64_t end = 0;
  std::vector<KeyRange> keys;  // coalesced
};

struct BatchSchedule {
  std::vector<BlockRun> runs;
  std::vector<GenericRange> generic;
  // Redundant work (Star's anchor recompute): identical ranges run as one batch of `count`.
  struct Repeat {
    KeyRange range;
    int64_t count = 0;
  };
  std::vector<Repeat> redundant;
};

// Merges adjacent non-causal key ranges of the same group (e.g. a question's sink + blocks become
// one range [0, q0)), keeping the order; causal ranges are never merged.
std::vector<KeyRange> coalesce_keys(const std::vector<KeyRange>& keys);

// Throws std::logic_error (via plan.validate()) on an invalid plan.
BatchSchedule schedule_plan(const AttentionPlan& plan);

}  // namespace pevlm::attention::batched
