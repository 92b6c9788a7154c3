// softmax_tile_avx512: tile_softmax_impl.h compiled for this ISA (flags in attention/fused/fused.cmake).
#define PEVLM_SOFTMAX_TILE_NAME softmax_tile_avx512
#include "attention/fused/tile_softmax_impl.h"
// row_ops_avx512: tile_rows_impl.h for the same ISA.
#define PEVLM_ROW_OPS_NAME row_ops_avx512
#include "attention/fused/tile_rows_impl.h"
