// The key windows one work item of the fused kernel runs (fused_kernel.h): each window is one S tile
// (one QK^T, one online-softmax step, one PV) over at most a key tile of packed keys.
//
// Causal ranges (a block's own keys) run alone, as equal windows along the range, because their
// rows see different numbers of keys. So do the non-causal ranges of a cut layout (static plans,
// decode: a few large ranges, GEMM shapes that repeat step after step). On an uncut layout (per-head
// sparse plans) non-causal ranges and single columns of one logit group are gathered: their packed
// spans are concatenated and cut into equal windows, so many short ranges (XAttention's 128-key
// blocks, vertical-slash's 64-key diagonals and scattered columns) share one softmax step and large
// GEMMs instead of each paying a whole tile's fixed costs. A window is a list
// of chunks (contiguous packed keys at an S column offset); S columns that are no key of the segment
// -- the key before a span the bf16 VNNI pairs make the window start early on, the key after an
// odd-length span, a few unattended columns between two runs of a column region -- are listed in
// `masked` and get -inf logits (no softmax weight) before the softmax.
#pragma once

#include <cstdint>
#include <vector>

#include "attention/fused/fused_work.h"
#include "attention/fused/key_layout.h"

namespace pevlm::attention::fused {

struct WindowChunk {
  int64_t packed = 0;  // packed index of the chunk's first column (even on the bf16 path)
  int64_t cols = 0;    // columns (even on the bf16 path)
  int64_t s_col = 0;   // its first column in the window's S tile
};

struct KeyWindow {
  int group = 0;
  bool causal = false;
  // Causal windows: one chunk; S column c is key causal_key0 + c; columns [0, lead) are masked for
  // every row (the window started one key early for an even packed start).
  int64_t causal_key0 = 0;
  int32_t lead = 0;
  int64_t causal_cols = 0;  // columns [0, causal_cols) hold keys (lead included); the rest is even padding
  int64_t cols = 0;  // S columns of the window (even on the bf16 path)
  // Row stride of the window's S / P tiles: max_cols for gathered windows of an uncut layout (one
  // stride for every window, so the GEMM shapes repeat across thousands of different windows),
  // otherwise cols.
  int64_t ld = 0;
  std::vector<WindowChunk> chunks;
  std::vector<int32_t> masked;  // non-causal windows: S columns with no key of the segment
};

// The windows of `seg` for query rows whose last key-position is `last_pos` (causal ranges stop
// there), at most `max_cols` columns each (a multiple of 16). `even_pairs`: the bf16 VNNI path (even
// packed starts and widths). On an uncut layout the gathered chunks start and end on the 16-key grid
// (masking the columns that widens over). Non-causal windows come first (grouped by logit group),
// then the causal ones; every window has at least one unmasked column.
std::vector<KeyWindow> plan_key_windows(const Segment& seg, const KeyLayout& layout, int64_t last_pos, bool even_pairs,
                                        int64_t max_cols);

}  // namespace pevlm::attention::fused
