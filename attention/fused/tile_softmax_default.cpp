// The fused kernel's vector steps compiled for default (flags in attention/fused/fused.cmake): the softmax tile
// step (tile_softmax_impl.h), the row load/epilogue (tile_rows_impl.h) and the decode chunk (decode_chunk_impl.h).
#define PEVLM_SOFTMAX_TILE_NAME softmax_tile_default
#include "attention/fused/tile_softmax_impl.h"
// row_ops_default: tile_rows_impl.h for the same ISA.
#define PEVLM_ROW_OPS_NAME row_ops_default
#include "attention/fused/tile_rows_impl.h"
// decode_chunk_default: decode_chunk_impl.h for the same ISA.
#define PEVLM_DECODE_CHUNK_NAME decode_chunk_default
#include "attention/fused/decode_chunk_impl.h"
