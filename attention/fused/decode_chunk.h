// The decode step of the fused executor for a few new tokens (issue 15): queries read the KV cache in
// place -- token-major rows [T, Hkv, D], any row stride -- so a step costs one pass over the cache and
// no copy of it (the prefill path packs K/V once per call, which per decode step would rewrite the
// whole cache). Per 64-key block the keys are transposed once into L1 scratch and both products run
// through brgemm (decode_chunk_impl.h). One chunk of keys of one KV head at a time, compiled per ISA
// (decode_chunk_impl.h via the tile_softmax_<isa>.cpp translation units); decode_direct.cpp splits the
// work and merges the chunks' partial softmax states.
#pragma once

#include <cstdint>

namespace pevlm::attention::fused {

struct DecodeChunk {
  const float* q = nullptr;      // [rows, d] fp32 query rows (already in fp32)
  int64_t rows = 0, d = 0;
  const void* k = nullptr;       // key `kb` of this KV head: element [j][x] at k + ((j - kb) * stride + x)
  const void* v = nullptr;
  int64_t stride = 0;            // elements between consecutive tokens (Hkv * D for a token-major cache)
  bool bf16 = false;             // k / v element type (q is fp32)
  int64_t kb = 0, ke = 0;        // keys [kb, ke) of one range (one logit group)
  const int64_t* row_end = nullptr;  // [rows] exclusive last key row r sees (causal), <= ke
  float scale = 1.0f;            // softmax scale / group temperature
  // Output: this chunk's softmax state per row -- max of scale * s, sum of exp(scale * s - max) and
  // the unnormalised sum of exp(...) v; rows seeing no key keep max -inf, sum 0, o 0.
  float* row_max = nullptr;
  float* row_sum = nullptr;
  float* o = nullptr;            // [rows, d]
};

using DecodeChunkFn = void (*)(const DecodeChunk&);

// The widest implementation this CPU runs (same choice as softmax_tile_fn()).
DecodeChunkFn decode_chunk_fn();

void decode_chunk_avx512(const DecodeChunk& c);
void decode_chunk_avx2(const DecodeChunk& c);
void decode_chunk_default(const DecodeChunk& c);

}  // namespace pevlm::attention::fused
