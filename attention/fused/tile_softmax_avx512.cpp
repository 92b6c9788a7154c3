// softmax_tile_avx512: tile_softmax_impl.h compiled for this ISA (flags in attention/fused/fused.cmake).
#define PEVLM_SOFTMAX_TILE_NAME softmax_tile_avx512
#include "attention/fused/tile_softmax_impl.h"
