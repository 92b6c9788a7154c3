// Body of row_ops_<isa>() (tile_rows.h): included by one translation unit per ISA, which defines
// PEVLM_ROW_OPS_NAME and is compiled with that ISA's CPU_CAPABILITY and -m flags, so
// at::vec::Vectorized<float> is 16 / 8 / scalar lanes wide.
#include <ATen/cpu/vec/functional.h>
#include <ATen/cpu/vec/vec.h>

#include "attention/fused/tile_rows.h"

namespace pevlm::attention::fused {
namespace {

void to_float_rows(const c10::BFloat16* src, float* dst, int64_t n) { at::vec::convert(src, dst, n); }

void combine_store_row(const float* const* o, const float* coef, int64_t groups, int64_t d, void* dst, bool dst_bf16) {
  using Vec = at::vec::Vectorized<float>;
  constexpr int64_t W = Vec::size();
  // One pass per W lanes; the bf16 store converts a W-lane chunk through a small stack buffer.
  alignas(64) float chunk[W];
  int64_t k = 0;
  for (; k + W <= d; k += W) {
    Vec acc(0.0f);
    for (int64_t g = 0; g < groups; ++g) acc = at::vec::fmadd(Vec::loadu(o[g] + k), Vec(coef[g]), acc);
    if (dst_bf16) {
      acc.store(chunk);
      at::vec::convert(chunk, static_cast<c10::BFloat16*>(dst) + k, W);
    } else {
      acc.store(static_cast<float*>(dst) + k);
    }
  }
  for (; k < d; ++k) {
    float acc = 0.0f;
    for (int64_t g = 0; g < groups; ++g) acc += coef[g] * o[g][k];
    if (dst_bf16) static_cast<c10::BFloat16*>(dst)[k] = c10::BFloat16(acc);
    else static_cast<float*>(dst)[k] = acc;
  }
}

}  // namespace

RowOps PEVLM_ROW_OPS_NAME() {
  RowOps ops;
  ops.to_float = to_float_rows;
  ops.combine_store = combine_store_row;
  return ops;
}

}  // namespace pevlm::attention::fused
