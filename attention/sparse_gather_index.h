// The key-gather schedule of the gathered per-head sparse path (issue 25 item 5), in plain C++ so
// the index construction the CPU and CUDA executors share is tested against SparsePlan::dense_mask
// without a device (tests/sparse_gather_index_test.cpp). For one query block it cuts the query heads
// into groups whose padded score tile [heads, rows, width] fits a budget and lists, per head, the
// K/V rows to gather: row (h / group) * L + key for each kept key of the head's intervals, then
// pads up to the group's width. A pad gathers row 0 and carries key position L, which the executor's
// causal mask (key > query -> -inf) removes from every query; SparsePlan keeps every query's own
// token, so no softmax row is empty.
#pragma once

#include <cstdint>
#include <vector>

#include "methods/sparse_plan.h"

namespace pevlm::attention {

struct GatherTile {
  int64_t head_begin = 0, head_end = 0;  // query heads [head_begin, head_end)
  int64_t width = 0;                     // gathered keys per head (the largest kept count; others padded)
  int64_t offset = 0;                    // first entry of this tile in SparseBlockGather::rows / keypos
};

struct SparseBlockGather {
  int64_t block = 0;       // the query block
  int64_t row_begin = 0;   // its first query
  int64_t rows = 0;        // its queries
  std::vector<GatherTile> tiles;  // cover the heads in order, each once
  // Per tile, [head][width] row-major: K/V row in the flattened [Hkv * L, D] keys and the key position
  // (L for a pad).
  std::vector<int64_t> rows_index;
  std::vector<int64_t> keypos;
};

// `score_budget`: floats of one padded score tile; a tile holds at least one head even when that head
// alone exceeds it. Throws std::invalid_argument when kv_heads does not divide the plan's heads.
SparseBlockGather build_block_gather(const SparsePlan& plan, int64_t block, int64_t kv_heads, int64_t score_budget);

}  // namespace pevlm::attention
