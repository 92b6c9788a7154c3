// Where each key of a call lives in the packed K/V (tile_gemm.h's PackedKv): the keys are cut at
// every boundary of every key range the plan's segments attend to (sink, blocks, prefix, anchor,
// question, decode ranges), and each piece between two cuts starts on a 16-key boundary of the
// packed layout, with a few zero keys of padding before the next piece.
//
// Why: the tile GEMMs want each K^T window to start on a 64-byte boundary (a misaligned window ran
// QK^T 5-15 % slower), and a range's windows used to be aligned by widening them onto a global
// 16-key grid -- up to 15 masked keys at each end of every range. For PEVLM sys+2f/4f at 16k (a
// 532-key sink, 1024-key blocks starting 4 keys past the grid, ~1k keys per query) that was 2.5 % of
// the kernel's multiply-adds spent on masked keys. With every range starting its own aligned piece,
// windows start exactly at the range and end exactly at its (causal) end: no masked keys but the
// causal diagonal's. Memory: L + 15 x pieces keys, still O(L).
#pragma once

#include <cstdint>
#include <vector>

#include "attention/fused/fused_work.h"

namespace pevlm::attention::fused {

struct KeyPiece {
  int64_t begin = 0, end = 0;  // keys [begin, end) of the call
  int64_t packed = 0;          // packed index of key `begin` (a multiple of 16)
};

// The single key columns (Segment::columns) of one query head, gathered in key order after the
// pieces: packed index packed + i holds key keys[i] of KV head kv_head (the other KV heads' copies of
// the region are never read).
struct ColumnRegion {
  int32_t q_head = 0, kv_head = 0;
  std::vector<int32_t> keys;  // sorted, unique
  int64_t packed = 0;         // a multiple of 16
};

struct KeyLayout {
  std::vector<KeyPiece> pieces;  // in key order, covering [0, keys)
  std::vector<ColumnRegion> regions;
  int64_t keys = 0;              // keys of the call
  int64_t packed_keys = 0;       // the packed length: a multiple of 16, >= 16
  bool uncut = false;            // make_uncut_key_layout: one piece, packed index = key index

  // The piece holding key j (0 <= j < keys).
  const KeyPiece& piece_of(int64_t j) const;
  // The column region of query head h; throws std::out_of_range when h has none.
  const ColumnRegion& region_of(int32_t q_head) const;
};

// Cuts [0, keys) at every key range boundary of `segments` (ranges must lie within [0, keys); no
// segment may have columns).
KeyLayout make_key_layout(const std::vector<Segment>& segments, int64_t keys);

// One piece, packed index = key index, plus a column region per query head with columns: for
// per-head sparse plans, whose heads cut the keys at thousands of unaligned places -- cutting at all
// of them would fragment every window. Windows then start at any key; the kernel widens a window to
// the even start the bf16 VNNI pairs need and masks the extra column (key_windows.h).
KeyLayout make_uncut_key_layout(const std::vector<Segment>& segments, int64_t keys, int64_t heads_per_kv);

// The trivial layout: one piece [0, keys) (callers without a plan, benchmarks).
KeyLayout single_piece_layout(int64_t keys);

}  // namespace pevlm::attention::fused
