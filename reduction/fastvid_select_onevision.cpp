// FastVID's LLaVA-OneVision variant; see fastvid_select.h. "Lnnnn" cites fastvid_llavaonevision/LLaVA-NeXT/llava/
// model/language_model/modeling_qwen2.py (LunarShen/FastVID a40a109), Qwen2Model.forward.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <map>
#include <stdexcept>
#include <string>

#include "reduction/fastvid_dtm.h"
#include "reduction/fastvid_select.h"

namespace pevlm::reduction {

FastvidSelection fastvid_select_onevision(const at::Tensor& frames_FTD, const at::Tensor& saliency_FT,
                                          const at::Tensor& global_FG, const FastvidParams& params) {
  if (!frames_FTD.defined() || frames_FTD.dim() != 3 || frames_FTD.size(0) < 1 || frames_FTD.size(1) < 1)
    throw std::invalid_argument("fastvid: frames must be [frames, tokens, hidden]");
  const int64_t F = frames_FTD.size(0), T = frames_FTD.size(1);
  if (!saliency_FT.defined() || saliency_FT.dim() != 2 || saliency_FT.size(0) != F || saliency_FT.size(1) != T)
    throw std::invalid_argument("fastvid: saliency must be [" + std::to_string(F) + ", " + std::to_string(T) + "]");
  if (!global_FG.defined() || global_FG.dim() != 2 || global_FG.size(0) != F)
    throw std::invalid_argument("fastvid: global features must be [" + std::to_string(F) + ", G]");
  const at::Tensor frames = frames_FTD.to(at::kFloat).cpu().contiguous();
  const at::Tensor saliency = saliency_FT.to(at::kFloat).cpu();
  const at::Tensor global = global_FG.to(at::kFloat).cpu();
  FastvidSelection out;
  out.segment_sizes = fastvid_segments(global / global.norm(2, 1, /*keepdim=*/true), params.c, params.tau);  // L914-923
  const OnevisionBudget budget = fastvid_onevision_budget(params, out.segment_sizes, T);                    // L926-954
  const int64_t n = T - budget.salient;  // each frame's non-salient ("filtered") tokens
  for (int64_t c : budget.context)
    if (c > n)
      throw std::invalid_argument("reduction 'fastvid' (LLaVA-OneVision): an anchor frame needs " + std::to_string(c) +
                                  " context tokens but has " + std::to_string(n) +
                                  " non-salient ones (the reference's topk raises); lower retention or p");
  // L956-962: salient tokens by saliency; L964-970: the rest of each frame in index order.
  const at::Tensor flat = frames.reshape({F * T, -1});
  std::vector<at::Tensor> salient(static_cast<size_t>(F)), filtered(static_cast<size_t>(F)), score(static_cast<size_t>(F));
  const at::Tensor all = at::arange(T, at::kLong);
  at::Generator gen = at::detail::createCPUGenerator(params.seed);
  for (int64_t f = 0; f < F; ++f) {
    salient[size_t(f)] = std::get<1>(at::topk(saliency.select(0, f), budget.salient)) + f * T;
    const at::Tensor rest = all.masked_select(at::logical_not(at::isin(all + f * T, salient[size_t(f)]))) + f * T;
    filtered[size_t(f)] = rest;
    // L972-987: the density score over the frame's filtered tokens (torch.rand [F, n] row by row).
    score[size_t(f)] = fastvid_density_score(flat.index_select(0, rest), gen);
  }
  const at::Tensor unit = flat / flat.norm(2, -1, /*keepdim=*/true);
  std::map<int64_t, std::pair<at::Tensor, std::vector<std::pair<int64_t, float>>>> kept;  // index -> (token, sources)
  for (int64_t f = 0; f < F; ++f)
    for (int64_t t : fastvid_index_vector(salient[size_t(f)])) kept[t] = {flat.select(0, t), {}};
  // Context tokens of one anchor frame f: its k highest-score filtered tokens (topk order), merging `merge`.
  auto add_context = [&](int64_t f, int64_t k, const at::Tensor& merge) {
    if (k <= 0) return;
    const at::Tensor context = filtered[size_t(f)].index_select(0, std::get<1>(at::topk(score[size_t(f)], k)));
    ContextMerge m = fastvid_merge_context(flat, unit, merge, context, params.beta);
    const std::vector<int64_t> ctx = fastvid_index_vector(context);
    for (size_t j = 0; j < ctx.size(); ++j) kept[ctx[j]] = {m.tokens_KD.select(0, int64_t(j)), std::move(m.sources[j])};
  };
  int64_t start = 0;
  for (int64_t len : out.segment_sizes) {
    if (len == 1) {
      // L991-1016: frame_context tokens merging the frame's filtered tokens (computed for every frame, kept where
      // frm_context_num_list == frame_context_num: single-frame segments).
      add_context(start, budget.frame_context, filtered[size_t(start)]);
    } else {
      // L1018-1060: anchors (context > frame_context) merge every filtered token of the segment. With p = 1 every
      // frame of the segment holds exactly frame_context and is kept by the single-frame step instead.
      std::vector<at::Tensor> seg;
      for (int64_t f = start; f < start + len; ++f) seg.push_back(filtered[size_t(f)]);
      const at::Tensor merge = at::cat(seg);
      for (int64_t f = start; f < start + len; ++f) {
        const int64_t c = budget.context[size_t(f)];
        if (c > budget.frame_context) add_context(f, c, merge);
        else if (c == budget.frame_context) add_context(f, c, filtered[size_t(f)]);
      }
    }
    start += len;
  }
  // L1062-1066: everything kept, sorted by index.
  std::vector<at::Tensor> tokens;
  for (auto& [index, entry] : kept) {
    out.kept.push_back(index);
    tokens.push_back(entry.first);
    out.sources.push_back(std::move(entry.second));
  }
  out.tokens_KD = tokens.empty() ? at::empty({0, frames.size(2)}) : at::stack(tokens);
  return out;
}

}  // namespace pevlm::reduction
