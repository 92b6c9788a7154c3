// Picks the softmax_tile_<isa> / row_ops_<isa> / decode_chunk_<isa> of the ISA ATen's own DispatchStub
// kernels run at (attention/cpu_caps.h): the hardware, capped by ATEN_CPU_CAPABILITY.
#include "attention/cpu_caps.h"
#include "attention/fused/tile_softmax.h"
#include "attention/fused/decode_chunk.h"
#include "attention/fused/tile_rows.h"

namespace pevlm::attention::fused {
namespace {

struct Choice {
  SoftmaxTileFn fn;
  const char* isa;
  RowOps rows;
  DecodeChunkFn decode;
};

Choice pick() {
  switch (cpu_caps().isa) {
    case CpuIsa::Avx512: return {softmax_tile_avx512, "avx512", row_ops_avx512(), decode_chunk_avx512};
    case CpuIsa::Avx2: return {softmax_tile_avx2, "avx2", row_ops_avx2(), decode_chunk_avx2};
    default: return {softmax_tile_default, "default", row_ops_default(), decode_chunk_default};
  }
}

const Choice& choice() {
  static const Choice c = pick();
  return c;
}

}  // namespace

SoftmaxTileFn softmax_tile_fn() { return choice().fn; }
const char* softmax_tile_isa() { return choice().isa; }
const RowOps& row_ops() { return choice().rows; }
DecodeChunkFn decode_chunk_fn() { return choice().decode; }

}  // namespace pevlm::attention::fused
