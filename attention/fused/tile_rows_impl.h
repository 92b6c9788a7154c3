// Body of row_ops_<isa>() (tile_rows.h): included by one translation unit per ISA, which defines
// PEVLM_ROW_OPS_NAME and is compiled with that ISA's CPU_CAPABILITY and -m flags, so
// at::vec::Vectorized<float> is 16 / 8 / scalar lanes wide.
#include <ATen/cpu/vec/functional.h>
#include <ATen/cpu/vec/vec.h>

#include "attention/fused/tile_rows.h"

#include <cstdint>
#if defined(CPU_CAPABILITY_AVX512)
#include <immintrin.h>
#endif

namespace pevlm::attention::fused {
namespace {

void to_float_rows(const c10::BFloat16* src, float* dst, int64_t n) { at::vec::convert(src, dst, n); }

#if defined(CPU_CAPABILITY_AVX512)
// The output is written once and never read back by the kernel: non-temporal stores skip the
// read-for-ownership of every cold output line (with ordinary stores the epilogue measured ~800
// cycles per 128-wide row, 7 % of a PEVLM sys+2f/4f prefill at 16k). 64-byte aligned rows of whole
// 32-lane chunks only; row_fence() orders them before the kernel returns.
bool combine_stream_row(const float* const* o, const float* coef, int64_t groups, int64_t d, void* dst, bool dst_bf16) {
  using Vec = at::vec::Vectorized<float>;
  if (reinterpret_cast<uintptr_t>(dst) % 64 != 0 || d % 32 != 0) return false;
  for (int64_t k = 0; k < d; k += 32) {
    Vec a0(0.0f), a1(0.0f);
    for (int64_t g = 0; g < groups; ++g) {
      a0 = at::vec::fmadd(Vec::loadu(o[g] + k), Vec(coef[g]), a0);
      a1 = at::vec::fmadd(Vec::loadu(o[g] + k + 16), Vec(coef[g]), a1);
    }
    if (dst_bf16) {
      const __m512i packed = at::vec::convert_float_bfloat16(a0, a1);  // round to nearest even
      _mm512_stream_si512(reinterpret_cast<__m512i*>(static_cast<c10::BFloat16*>(dst) + k), packed);
    } else {
      _mm512_stream_ps(static_cast<float*>(dst) + k, a0);
      _mm512_stream_ps(static_cast<float*>(dst) + k + 16, a1);
    }
  }
  return true;
}
void fence_rows() { _mm_sfence(); }
#else
bool combine_stream_row(const float* const*, const float*, int64_t, int64_t, void*, bool) { return false; }
void fence_rows() {}
#endif

void combine_store_row(const float* const* o, const float* coef, int64_t groups, int64_t d, void* dst, bool dst_bf16) {
  if (combine_stream_row(o, coef, groups, d, dst, dst_bf16)) return;
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
  ops.fence = fence_rows;
  return ops;
}

}  // namespace pevlm::attention::fused
