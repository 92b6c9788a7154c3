// FastVID (Shen et al., "FastVID: Dynamic Density Pruning for Fast Video Large Language Models"; github
// LunarShen/FastVID a40a109) on one video's frame tokens: DySeg (segments by adjacent frames' global-feature
// similarity), STPrune (salient tokens by the vision tower's saliency + density-peak context tokens per
// segment) and the context merge. Budgets and parameters: fastvid_budget.h. Reference branches (transcribed for
// the goldens in scripts/golden/make_fastvid_golden.py):
//  - Qwen2.5-VL: fastvid_qwen25vl/lmms-eval/lmms_eval/models/qwenvlutils/modeling_qwen2_5_vl.py,
//    Qwen2_5_VLForConditionalGeneration.forward L1891-2097. Frames are temporal patches (2 video frames);
//    frame tokens the merged tokens of a patch in raster order; global features their mean (L1859).
//  - LLaVA-Video: fastvid_llavavideo/LLaVA-NeXT/llava/model/language_model/modeling_qwen2.py,
//    Qwen2Model.forward L893-1063. Frame tokens the pooled grid without its row newlines; a row's newline is
//    kept when the row keeps a token (L1048-1058).
//  - LLaVA-OneVision: fastvid_llavaonevision/LLaVA-NeXT/llava/model/language_model/modeling_qwen2.py,
//    Qwen2Model.forward L900-1066 (fastvid_select_onevision). Frame tokens the bilinear-pooled grid; the one
//    newline after the video is not a frame token (kept).
// Positions: every kept token -- salient, or context with its merged neighbours -- keeps the sequence position
// of the token it is (keep_indexs -> position_ids[:, :, keep_indexs] in Qwen L2094-2097, position_ids =
// keep_indexs in LLaVA-Video L1060-1063), so M-RoPE / 1-D positions stay gapped; a merged context token sits at
// its density peak's position.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "reduction/fastvid_budget.h"

namespace pevlm::reduction {

// DySeg on L2-normalised global features [F, G] (both references L1902-1910 / L911-921): cuts after frame i
// for the c - 1 lowest adjacent similarities (torch.topk(largest=False)) and every similarity < tau; returns
// the segment sizes. Where the reference raises (F - 1 < c - 1 in torch.topk; no cut at all) this clamps to
// F - 1 cuts / returns one segment.
std::vector<int64_t> fastvid_segments(const at::Tensor& normalized_global_FG, int64_t c, double tau);

struct FastvidSelection {
  std::vector<int64_t> segment_sizes;
  // Kept frame tokens, increasing, as indices into the F * T frame tokens (or, from fastvid_select_rows, into
  // the frames with their row newlines).
  std::vector<int64_t> kept;
  // Per kept token: empty (the token itself) or (token, weight) pairs whose sum is the merged context token
  // (weight avg_w on itself, (1 - avg_w) / count on each token assigned to it; avg_w = max(1 / (count + 1),
  // beta)). The same index space as `kept`.
  std::vector<std::vector<std::pair<int64_t, float>>> sources;
  at::Tensor tokens_KD;  // the kept tokens as the reference computes them (float32)
};

// FastVID on frames [F, T, D] with saliency [F, T] and global features [F, G] (not yet normalised). The noise
// of the density step is drawn from a CPU generator seeded with params.seed, frame by frame in the reference's
// order. Throws std::invalid_argument naming the tensor whose shape is wrong.
FastvidSelection fastvid_select(const at::Tensor& frames_FTD, const at::Tensor& saliency_FT,
                                const at::Tensor& global_FG, const FastvidParams& params);

// LLaVA-Video's grid: frames [F, rows * (grid_w + 1), D] with a newline token after every row of grid_w tokens;
// saliency [F, rows * grid_w] over the grid tokens. Selection runs on the grid tokens; the result indexes the
// frames with their newlines, a row's newline kept (as itself) when the row keeps a token.
FastvidSelection fastvid_select_rows(const at::Tensor& frames_FTD, const at::Tensor& saliency_FT,
                                     const at::Tensor& global_FG, int64_t grid_w, const FastvidParams& params);

// The LLaVA-OneVision variant on frames [F, T, D], saliency [F, T], global features [F, G]: DySeg as above; every
// frame keeps its top fastvid_onevision_budget().salient tokens by saliency; the density score of each frame's
// other tokens (noise drawn frame by frame); a frame alone in its segment keeps its frame_context highest-score
// tokens, each merging the frame's non-salient tokens (itself included) most similar to it; in a longer segment
// each anchor frame keeps its `context` highest-score tokens, each merging the segment's non-salient tokens
// most similar to it (every anchor merges the whole segment independently). Throws std::invalid_argument
// naming the counts where an anchor would need more tokens than its frame has (the reference's topk raises).
FastvidSelection fastvid_select_onevision(const at::Tensor& frames_FTD, const at::Tensor& saliency_FT,
                                          const at::Tensor& global_FG, const FastvidParams& params);

}  // namespace pevlm::reduction
