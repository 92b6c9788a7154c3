// Picks the widest softmax_tile_<isa> / row_ops_<isa> this CPU runs (cpuinfo flags, as ATen's DispatchStub does).
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
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512dq"))
    return {softmax_tile_avx512, "avx512", row_ops_avx512(), decode_chunk_avx512};
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return {softmax_tile_avx2, "avx2", row_ops_avx2(), decode_chunk_avx2};
  return {softmax_tile_default, "default", row_ops_default(), decode_chunk_default};
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
