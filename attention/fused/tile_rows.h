// Row-wise vector steps of the fused kernel around the tile GEMMs: the Q tile's load (bf16 -> fp32
// on the fp32 GEMM path) and the output's epilogue (group combination + store in the output dtype).
// Both run once per query row and tile, so they are cheap next to the GEMMs only when vectorised:
// scalar versions measured ~270 and ~860 cycles per 128-wide row, 7.5 % of a PEVLM sys+2f/4f prefill
// at 16k tokens (where each query tile sees ~1k keys). Compiled per ISA beside the softmax step
// (tile_softmax_{avx512,avx2,default}.cpp include tile_rows_impl.h) and picked at run time.
#pragma once

#include <cstdint>

#include <c10/util/BFloat16.h>

namespace pevlm::attention::fused {

struct RowOps {
  // dst[0, n) = float(src[0, n)).
  void (*to_float)(const c10::BFloat16* src, float* dst, int64_t n) = nullptr;
  // dst[0, d) = sum_g coef[g] * o[g][0, d) for the `groups` accumulator rows, stored as fp32
  // (dst_bf16 false) or bf16 rounded to nearest even.
  // (Non-temporal stores where the ISA and alignment allow: call fence() before the output is read.)
  void (*combine_store)(const float* const* o, const float* coef, int64_t groups, int64_t d, void* dst, bool dst_bf16) = nullptr;
  // Orders this thread's non-temporal stores (sfence); a no-op where none are used.
  void (*fence)() = nullptr;
};

// The widest implementation this CPU runs (same choice as softmax_tile_fn()).
const RowOps& row_ops();

RowOps row_ops_avx512();
RowOps row_ops_avx2();
RowOps row_ops_default();

}  // namespace pevlm::attention::fused
