// softmax_tile_default: tile_softmax_impl.h compiled for this ISA (flags in attention/fused/fused.cmake).
#define PEVLM_SOFTMAX_TILE_NAME softmax_tile_default
#include "attention/fused/tile_softmax_impl.h"
