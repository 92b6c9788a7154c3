// The matched-token baselines (issue 26; VTC-Bench, arXiv 2510.07143: plain downsampling at the same token
// count beats many compression methods, so every reduction is shown beside them at equal visual tokens):
//  - uniform frames: whole frames of the sampled set, spread uniformly, as many as fit the visual-token
//    budget (frame indices np.linspace(0, F - 1, m).astype(int), lmms-eval llava_vid's uniform sampler);
//  - spatial pooling: each frame's merged-token grid averaged in 2x2 windows (torch avg_pool2d(kernel 2,
//    stride 2, ceil_mode=True): a window cut by the grid's edge averages the tokens it holds).
// Kept / pooled tokens keep their original positions (a pooled token takes its window's top-left token's
// ids), as every reduction here (reduced_layout.h). The budget is `tokens` (visual tokens) or `ratio` (of the
// visual tokens; r = 0.5 matches FastV's R = 0.5 token count).
#pragma once

#include <cstdint>
#include <vector>

#include "methods/token_layout.h"
#include "reduction/token_merge.h"

namespace pevlm::reduction {

// The frames (indices over the layout's Frame spans) uniform sampling keeps: the largest m (>= 1) whose
// linspace-chosen frames hold at most `budget` visual tokens. Throws std::invalid_argument when the layout
// has no frames or budget < 1.
std::vector<int64_t> uniform_frames(const TokenLayout& layout, int64_t budget);
// The kept token list of uniform_frames (non-frame tokens + the chosen frames' tokens).
std::vector<int64_t> uniform_frames_select(const TokenLayout& layout, int64_t budget);

// The merged-token grid of each Frame span: M-RoPE layouts read it from the frame's h/w position ids
// (rows x cols; tokens in row-major order); 1-D layouts need a square frame as LLaVA-Video builds them
// (models/llava_video/pooling.h): g x g tokens, g x g + 1 (a trailing newline token) or g x (g + 1) (a
// newline after each row). Throws std::invalid_argument naming the frame for any other shape.
struct FrameGrid {
  int64_t begin = 0;       // first visual token
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t row_stride = 0;  // cols, or cols + 1 with a newline token after each row
  int64_t end = 0;         // end of the frame span (tokens after the grid, e.g. a newline, are kept)
  int64_t token(int64_t r, int64_t c) const { return begin + r * row_stride + c; }
};
std::vector<FrameGrid> frame_grids(const TokenLayout& layout);

// 2x2 average pooling of the chosen frames' grids as a TokenMerge (non-frame tokens, the other frames and
// tokens outside a grid kept; with a newline after each row, a pooled row keeps its window's last newline).
// `pooled[f]` says whether frame f (over the Frame spans) is pooled.
TokenMerge spatial_pool_frames(const TokenLayout& layout, const std::vector<bool>& pooled);
// Every frame pooled (budget < 0), or the fewest frames m, spread uniformly (np.linspace), whose pooling
// brings the visual tokens within `budget`; throws std::invalid_argument naming both counts when even pooling
// every frame leaves more than the budget.
TokenMerge spatial_pool_merge(const TokenLayout& layout, int64_t budget = -1);

}  // namespace pevlm::reduction
