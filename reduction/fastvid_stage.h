// FastVID as a pre-LLM stage on a whole prompt (fastvid_select.h on the layout's Frame spans): every
// non-frame token kept, each frame's grid tokens selected / merged, kept tokens at their original positions
// (reduced_layout.h). The frames' grids come from frame_grids (matched_baselines.h): Qwen2.5-VL's M-RoPE
// h x w grid per temporal patch, LLaVA-Video's g x (g + 1) grid with a newline after each row (a row's newline
// kept when the row keeps a token, as the reference) or a plain g x g grid (a trailing newline token is kept).
//
// `reduction: {name: fastvid}` (reduction_registry.h) runs it with the vision tower's signals
// (VideoLM::encode_with_fastvid_signals). Qwen2.5-VL: the last block's attention of each temporal step's mean
// query (models/qwen2_5_vl/fastvid_saliency.h), global features the mean of each frame's tokens. LLaVA: the
// SigLIP release's attention-pooling head on the tower output -- its attention weights pooled like the features as
// the saliency, its pooled output as the global features (models/llava_video/fastvid_signals.h; the checkpoint
// drops the head, so the model option `fastvid_siglip` names the release folder, as the reference's
// fastvid_llavavideo/.../siglip_encoder.py SigLipVisionAbstract loads it from mm_vision_tower). The signals name
// the variant: average pooling + row newlines -> the LLaVA-Video tree (fastvid_select_rows), bilinear + one
// newline after the video -> the LLaVA-OneVision tree (fastvid_select_onevision; that newline is kept).
#pragma once

#include <ATen/core/Tensor.h>

#include <string>

#include <nlohmann/json.hpp>

#include "methods/token_layout.h"
#include "reduction/fastvid_budget.h"
#include "reduction/token_merge.h"

namespace pevlm::reduction {

// What FastVID reads beside the prompt embeddings.
struct FastvidSideInput {
  // [F, rows * cols]: each frame's grid tokens' saliency, row-major (no newline tokens).
  at::Tensor saliency_FT;
  // [F, G] per-frame global features; undefined: the mean of each frame's grid tokens of x_LD (Qwen2.5-VL's
  // frame_global_features, modeling_qwen2_5_vl.py L1859).
  at::Tensor global_FG;
};


// FastVID's TokenMerge of the prompt x_LD [L, D] on `layout`. Throws std::invalid_argument when the frames'
// grids differ in shape (the reference splits the video into equal frames) or the side input's shapes are wrong.
TokenMerge fastvid_merge(const TokenLayout& layout, const at::Tensor& x_LD, const FastvidSideInput& side,
                         const FastvidParams& params);

}  // namespace pevlm::reduction
