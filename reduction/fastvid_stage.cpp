// FastVID on a prompt; see fastvid_stage.h.
#include "reduction/fastvid_stage.h"

#include <ATen/ATen.h>

#include <map>
#include <stdexcept>

#include "reduction/fastvid_select.h"
#include "reduction/matched_baselines.h"

namespace pevlm::reduction {

TokenMerge fastvid_merge(const TokenLayout& layout, const at::Tensor& x_LD, const FastvidSideInput& side,
                         const FastvidParams& params) {
  const std::vector<FrameGrid> grids = frame_grids(layout);
  if (grids.empty()) throw std::invalid_argument("reduction 'fastvid': the prompt has no frames");
  const FrameGrid& g0 = grids.front();
  for (const FrameGrid& g : grids)
    // Tokens after a frame's grid (the one newline after a LLaVA video) are kept: frames may differ only there.
    if (g.rows != g0.rows || g.cols != g0.cols || g.row_stride != g0.row_stride)
      throw std::invalid_argument("reduction 'fastvid': frames of different grids (" + std::to_string(g.rows) + " x " +
                                  std::to_string(g.cols) + " vs " + std::to_string(g0.rows) + " x " +
                                  std::to_string(g0.cols) + "); the reference splits the video into equal frames");
  if (!x_LD.defined() || x_LD.dim() != 2 || x_LD.size(0) != layout.length)
    throw std::invalid_argument("reduction 'fastvid': embeddings must be [" + std::to_string(layout.length) + ", hidden]");
  const int64_t frames = int64_t(grids.size()), grid_tokens = g0.rows * g0.cols;
  const bool rows_newline = g0.row_stride > g0.cols;
  const int64_t span = rows_newline ? g0.rows * g0.row_stride : grid_tokens;  // the tokens selection indexes
  // [F, span, D]: the frames' grid tokens (with their row newlines for LLaVA-Video's grid).
  std::vector<int64_t> index;
  for (const FrameGrid& g : grids)
    for (int64_t i = 0; i < span; ++i) index.push_back(g.begin + i);
  const at::Tensor frames_FTD =
      x_LD.index_select(0, at::tensor(index, at::kLong).to(x_LD.device())).to(at::kFloat).cpu().reshape({frames, span, -1});
  if (!side.saliency_FT.defined() || side.saliency_FT.dim() != 2 || side.saliency_FT.size(0) != frames ||
      side.saliency_FT.size(1) != grid_tokens)
    throw std::invalid_argument("reduction 'fastvid': saliency must be [" + std::to_string(frames) + ", " +
                                std::to_string(grid_tokens) + "] (frames x grid tokens)");
  at::Tensor global = side.global_FG;
  if (global.defined() && (global.dim() != 2 || global.size(0) != frames || global.size(1) < 1))
    throw std::invalid_argument("reduction 'fastvid': global features must be [" + std::to_string(frames) +
                                ", G] (one row per frame), got " + c10::str(global.sizes()));
  if (global.defined()) global = global.to(at::kFloat).cpu();
  if (!global.defined()) {
    std::vector<int64_t> grid_pos;
    for (int64_t r = 0; r < g0.rows; ++r)
      for (int64_t c = 0; c < g0.cols; ++c) grid_pos.push_back(r * g0.row_stride + c);
    global = frames_FTD.index_select(1, at::tensor(grid_pos, at::kLong)).mean(1);
  }
  if (params.variant == FastvidVariant::LlavaVideo && !rows_newline)
    throw std::invalid_argument("reduction 'fastvid': the LLaVA-Video variant runs on frames with a newline after "
                                "every row (newline grid), got " + std::to_string(g0.rows) + " x " +
                                std::to_string(g0.cols) + " without; bilinear + one_token is the LLaVA-OneVision tree");
  if (params.variant == FastvidVariant::LlavaOnevision && rows_newline)
    throw std::invalid_argument("reduction 'fastvid': the LLaVA-OneVision variant runs on frames without row newlines "
                                "(newline one_token), got " + std::to_string(g0.rows) + " rows of " +
                                std::to_string(g0.cols) + " + a newline");
  const FastvidSelection s = params.variant == FastvidVariant::LlavaOnevision
                                 ? fastvid_select_onevision(frames_FTD, side.saliency_FT, global, params)
                             : rows_newline ? fastvid_select_rows(frames_FTD, side.saliency_FT, global, g0.cols, params)
                                            : fastvid_select(frames_FTD, side.saliency_FT, global, params);
  // Layout index of selection index i (frame i / span, offset i % span).
  auto at_layout = [&](int64_t i) { return grids[size_t(i / span)].begin + i % span; };
  std::map<int64_t, std::vector<std::pair<int64_t, float>>> rows;
  std::vector<bool> selected_region(size_t(layout.length), false);
  for (const FrameGrid& g : grids)
    for (int64_t i = 0; i < span; ++i) selected_region[size_t(g.begin + i)] = true;
  for (int64_t t = 0; t < layout.length; ++t)
    if (!selected_region[size_t(t)]) rows[t] = {};  // text, question, tokens after a grid (a trailing newline)
  for (size_t k = 0; k < s.kept.size(); ++k) {
    auto src = s.sources[k];
    for (auto& [token, w] : src) token = at_layout(token);
    rows[at_layout(s.kept[k])] = std::move(src);
  }
  TokenMerge out;
  bool merged = false;
  for (auto& [t, src] : rows) {
    out.representative.push_back(t);
    merged = merged || !src.empty();
    out.sources.push_back(std::move(src));
  }
  if (!merged) out.sources.clear();
  return out;
}

}  // namespace pevlm::reduction
