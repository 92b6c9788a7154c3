// Work decomposition of the fused CPU attention kernel (issue 15): an AttentionPlan (prefill, decode
// or Star's redundant re-encoding) becomes query segments, each with every key range it attends to,
// and the segments become work items (segment, KV head, query tile) that threads pull dynamically.
// Pure bookkeeping, no tensors: the kernel (fused_kernel.h) reads these.
#pragma once

#include <cstdint>
#include <vector>

#include "methods/attention_plan.h"

namespace pevlm::attention::fused {

// One key range as the kernel sees it. `causal`: query at key-position p sees key j iff j <= p.
struct SegmentKeys {
  int64_t begin = 0, end = 0;
  bool causal = false;
  int group = 0;
};

// Query rows [q_begin, q_end) of the Q tensor; their key-positions start at pos0 (prefill: q_begin;
// decode: past). `discard`: Star's redundant work (methods.md): every GEMM and exp is computed, only
// the final write is skipped.
// `q_head` -1: every query head, the Hq/Hkv heads of one KV head stacked as rows of one tile (static
// plans: all heads see the same keys). q_head >= 0: that query head alone (per-head sparse plans,
// issue 25), its tile rows are tokens. `columns`: single keys (sorted, non-causal, group 0, all before
// the first query) besides `keys`, e.g. vertical-slash's vertical columns; the key layout gathers a
// head's columns into one contiguous region (key_layout.h) so they run as GEMM windows, not one
// GEMM per column.
struct Segment {
  int64_t q_begin = 0, q_end = 0, pos0 = 0;
  bool discard = false;
  std::vector<SegmentKeys> keys;
  int32_t q_head = -1;
  std::vector<int32_t> columns;
};

struct WorkItem {
  int32_t segment = 0;
  int32_t kv_head = 0;
  int64_t t0 = 0, t1 = 0;  // query rows [t0, t1) of the segment (absolute Q rows)
  double cost = 0;         // query rows x keys visited, for the longest-first order
  // One-head segments [segment, segment + heads) of the same query rows and KV head (the query heads
  // of one GQA group over one short query block) run as one item, their key windows interleaved in
  // key order: a K/V chunk several heads keep is then read from L3 once and from L2 by the others.
  int32_t heads = 1;
};

// One-head segments of at most this many rows are grouped by KV head (WorkItem::heads); longer ones
// run as tiles of their own (kTargetRows rows already reuse each K/V chunk over many rows).
constexpr int64_t kHeadGroupMaxRows = 128;

// Segments of a prefill: every plan query range, then every redundant range (discarded).
std::vector<Segment> prefill_segments(const AttentionPlan& plan);
// The one segment of a decode step: n queries at positions [past, past + n) over plan.decode_keys,
// generated keys [length, past) in group 0, and the new keys causal among themselves.
std::vector<Segment> decode_segments(const AttentionPlan& plan, int64_t n, int64_t past);

// Query tile length in tokens: the tile holds tokens x (Hq / Hkv) rows sharing one KV head's keys,
// about `target_rows` rows so the GEMM's M is large while S and the accumulators stay in L2.
int64_t query_tile_tokens(int64_t heads_per_kv, int64_t target_rows);

// Every (segment, KV head, query tile), longest first: with dynamic pulling that is the classic
// longest-processing-time schedule, so two cores finish together on any plan. Tiles hold about
// `target_rows` rows: query_tile_tokens(heads_per_kv, target_rows) tokens of a stacked segment, or
// target_rows tokens of a one-head segment (only its own KV head's item). Consecutive one-head
// segments of at most kHeadGroupMaxRows rows with the same rows and KV head become one item
// (WorkItem::heads; sparse_segments orders them so).
std::vector<WorkItem> make_work_items(const std::vector<Segment>& segments, int64_t kv_heads, int64_t heads_per_kv,
                                      int64_t target_rows);

}  // namespace pevlm::attention::fused
