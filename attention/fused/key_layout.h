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

struct KeyLayout {
  std::vector<KeyPiece> pieces;  // in key order, covering [0, keys)
  int64_t keys = 0;              // keys of the call
  int64_t packed_keys = 0;       // the packed length: a multiple of 16, >= 16

  // The piece holding key j (0 <= j < keys).
  const KeyPiece& piece_of(int64_t j) const;
};

// Cuts [0, keys) at every key range boundary of `segments` (ranges must lie within [0, keys)).
KeyLayout make_key_layout(const std::vector<Segment>& segments, int64_t keys);

// The trivial layout: one piece [0, keys) (callers without a plan, benchmarks).
KeyLayout single_piece_layout(int64_t keys);

}  // namespace pevlm::attention::fused
