// FastVID's selection and merge; see fastvid_select.h. "Qwen Lnnnn" / "LLaVA Lnnnn" cite the two reference files
// named there; the code is shared where the references are identical (DySeg, density peaks, merge).
#include "reduction/fastvid_select.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>

#include "reduction/fastvid_dtm.h"

namespace pevlm::reduction {
namespace {

// segment_sizes from sorted cut indices (cut after frame i): Qwen L1907-1910, LLaVA L918-921; also the `ignore`
// sub-segments, Qwen L1941-1944.
std::vector<int64_t> sizes_from_cuts(const std::vector<int64_t>& cuts, int64_t frames) {
  if (cuts.empty()) return {frames};
  std::vector<int64_t> sizes{cuts.front() + 1};
  for (size_t i = 1; i < cuts.size(); ++i) sizes.push_back(cuts[i] - cuts[i - 1]);
  sizes.push_back(frames - cuts.back() - 1);
  return sizes;
}

at::Tensor adjacent_similarity(const at::Tensor& g) {
  const int64_t n = g.size(0);
  return (g.slice(0, 0, n - 1) * g.slice(0, 1, n)).sum(1);
}

// The context tokens of one frame: density peaks among the tokens that are not salient (Qwen L1982-2013,
// LLaVA L979-1006; fastvid_density.h): the k highest scores, in index order.
at::Tensor density_peaks(const at::Tensor& frame_TD, const at::Tensor& salient, int64_t k, at::Generator& gen) {
  const int64_t frm_len = frame_TD.size(0);
  const at::Tensor all = at::arange(frm_len, at::kLong);
  const at::Tensor remaining = salient.defined() ? all.masked_select(at::logical_not(at::isin(all, salient))) : all;
  const at::Tensor score = fastvid_density_score(frame_TD.index_select(0, remaining), gen);
  const at::Tensor sampled = std::get<0>(at::sort(std::get<1>(at::topk(score, k, -1))));
  return remaining.index_select(0, sampled);
}

struct SegmentResult {
  std::vector<int64_t> kept;  // segment-local, increasing
  std::vector<std::vector<std::pair<int64_t, float>>> sources;
  at::Tensor tokens_KD;
};

// Qwen L1971-2093 / LLaVA L969-1056 for one segment [S, T, D].
SegmentResult prune_segment(const at::Tensor& seg_STD, const at::Tensor& saliency_ST, const FrameBudgets& budget,
                            double beta, at::Generator& gen) {
  const int64_t seg_len = seg_STD.size(0), frm_len = seg_STD.size(1);
  std::vector<at::Tensor> salient_parts, context_sets;
  for (int64_t f = 0; f < seg_len; ++f) {
    at::Tensor top;
    if (budget.salient[size_t(f)] > 0)
      top = std::get<1>(at::topk(saliency_ST.select(0, f), budget.salient[size_t(f)]));
    if (budget.context[size_t(f)] > 0)
      context_sets.push_back(density_peaks(seg_STD.select(0, f), top, budget.context[size_t(f)], gen) + f * frm_len);
    if (top.defined()) salient_parts.push_back(top + f * frm_len);
  }
  const at::Tensor tome = seg_STD.reshape({seg_len * frm_len, -1});
  const at::Tensor salient = salient_parts.empty() ? at::empty({0}, at::kLong) : at::cat(salient_parts);
  const at::Tensor all = at::arange(seg_len * frm_len, at::kLong);
  const at::Tensor unit = tome / tome.norm(2, -1, /*keepdim=*/true);
  std::vector<at::Tensor> index_parts{salient}, token_parts{tome.index_select(0, salient)};
  std::map<int64_t, std::vector<std::pair<int64_t, float>>> sources;
  for (const at::Tensor& ctx : context_sets) {
    // Each frame's context set merges every segment token that is neither salient nor in this set (other frames'
    // context tokens included, unmerged).
    const at::Tensor merge = all.masked_select(at::logical_not(at::isin(all, at::cat({salient, ctx}))));
    ContextMerge m = fastvid_merge_context(tome, unit, merge, ctx, beta);
    token_parts.push_back(m.tokens_KD);
    index_parts.push_back(ctx);
    const std::vector<int64_t> ctx_v = fastvid_index_vector(ctx);
    for (size_t j = 0; j < ctx_v.size(); ++j) sources[ctx_v[j]] = std::move(m.sources[j]);
  }
  const at::Tensor index = at::cat(index_parts);
  const at::Tensor order = at::argsort(index);
  SegmentResult out;
  out.kept = fastvid_index_vector(index.index_select(0, order));
  out.tokens_KD = at::cat(token_parts).index_select(0, order);
  for (int64_t k : out.kept) {
    auto it = sources.find(k);
    out.sources.push_back(it == sources.end() ? std::vector<std::pair<int64_t, float>>{} : it->second);
  }
  return out;
}

void check_inputs(const at::Tensor& frames, const at::Tensor& saliency, const at::Tensor& global, int64_t tokens) {
  if (!frames.defined() || frames.dim() != 3 || frames.size(0) < 1)
    throw std::invalid_argument("fastvid: frames must be [frames, tokens, hidden]");
  const int64_t f = frames.size(0);
  if (!saliency.defined() || saliency.dim() != 2 || saliency.size(0) != f || saliency.size(1) != tokens)
    throw std::invalid_argument("fastvid: saliency must be [" + std::to_string(f) + ", " + std::to_string(tokens) + "]");
  if (!global.defined() || global.dim() != 2 || global.size(0) != f)
    throw std::invalid_argument("fastvid: global features must be [" + std::to_string(f) + ", G]");
}

}  // namespace

std::vector<int64_t> fastvid_segments(const at::Tensor& normalized_global_FG, int64_t c, double tau) {
  const int64_t frames = normalized_global_FG.size(0);
  if (frames == 1) return {1};
  const at::Tensor similarity = adjacent_similarity(normalized_global_FG);
  std::vector<int64_t> cuts = fastvid_index_vector(at::nonzero(at::lt(similarity, tau)).squeeze(1));
  const int64_t k = std::min<int64_t>(c - 1, frames - 1);
  if (k > 0) {
    const std::vector<int64_t> lowest = fastvid_index_vector(std::get<1>(at::topk(similarity, k, -1, /*largest=*/false)));
    cuts.insert(cuts.end(), lowest.begin(), lowest.end());
  }
  std::sort(cuts.begin(), cuts.end());  // torch.unique(cat(...)).sort()
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  return sizes_from_cuts(cuts, frames);
}

FastvidSelection fastvid_select(const at::Tensor& frames_FTD, const at::Tensor& saliency_FT,
                                const at::Tensor& global_FG, const FastvidParams& params) {
  check_inputs(frames_FTD, saliency_FT, global_FG, frames_FTD.dim() == 3 ? frames_FTD.size(1) : 0);
  const at::Tensor frames = frames_FTD.to(at::kFloat).cpu();
  const at::Tensor saliency = saliency_FT.to(at::kFloat).cpu();
  const at::Tensor global = global_FG.to(at::kFloat).cpu();
  const at::Tensor g = global / global.norm(2, 1, /*keepdim=*/true);
  const int64_t frm_len = frames.size(1);
  at::Generator gen = at::detail::createCPUGenerator(params.seed);
  FastvidSelection out;
  out.segment_sizes = fastvid_segments(g, params.c, params.tau);
  std::vector<at::Tensor> tokens;
  int64_t start = 0;
  for (int64_t seg_len : out.segment_sizes) {
    std::vector<int64_t> subs;
    if (params.variant == FastvidVariant::Qwen2_5VL && seg_len > 1) {  // Qwen L1937-1946
      const at::Tensor sub_sim = adjacent_similarity(g.slice(0, start, start + seg_len));
      subs = sizes_from_cuts(fastvid_index_vector(at::nonzero(at::lt(sub_sim, params.ignore)).squeeze(1)), seg_len);
    }
    const FrameBudgets budget = fastvid_frame_budgets(params, seg_len, frm_len, subs);
    SegmentResult seg = prune_segment(frames.slice(0, start, start + seg_len),
                                      saliency.slice(0, start, start + seg_len), budget, params.beta, gen);
    const int64_t offset = start * frm_len;
    for (size_t i = 0; i < seg.kept.size(); ++i) {
      out.kept.push_back(seg.kept[i] + offset);
      auto row = seg.sources[i];
      for (auto& [token, w] : row) token += offset;
      out.sources.push_back(std::move(row));
    }
    tokens.push_back(seg.tokens_KD);
    start += seg_len;
  }
  out.tokens_KD = at::cat(tokens);
  return out;
}

FastvidSelection fastvid_select_rows(const at::Tensor& frames_FTD, const at::Tensor& saliency_FT,
                                     const at::Tensor& global_FG, int64_t grid_w, const FastvidParams& params) {
  if (!frames_FTD.defined() || frames_FTD.dim() != 3 || grid_w < 1 || frames_FTD.size(1) % (grid_w + 1) != 0)
    throw std::invalid_argument("fastvid: frames with row newlines must be [frames, rows * (grid_w + 1), hidden] "
                                "with grid_w " + std::to_string(grid_w));
  const int64_t row = grid_w + 1, per_frame = frames_FTD.size(1), rows = per_frame / row;
  std::vector<int64_t> grid_pos;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < grid_w; ++c) grid_pos.push_back(r * row + c);
  const at::Tensor grid = frames_FTD.index_select(1, at::tensor(grid_pos, at::kLong));
  check_inputs(grid, saliency_FT, global_FG, rows * grid_w);
  FastvidSelection pure = fastvid_select(grid, saliency_FT, global_FG, params);
  // LLaVA L1048-1058: pure index q sits at q + q // grid_w among the tokens with newlines; its row's newline at
  // (index // row + 1) * row - 1.
  auto with_rows = [&](int64_t q) { return q + q / grid_w; };
  std::map<int64_t, std::pair<int64_t, std::vector<std::pair<int64_t, float>>>> rows_out;  // index -> (pure row, src)
  for (size_t i = 0; i < pure.kept.size(); ++i) {
    auto src = pure.sources[i];
    for (auto& [token, w] : src) token = with_rows(token);
    const int64_t at_index = with_rows(pure.kept[i]);
    rows_out[at_index] = {int64_t(i), std::move(src)};
    const int64_t newline = (at_index / row + 1) * row - 1;
    rows_out.emplace(newline, std::make_pair(int64_t(-1), std::vector<std::pair<int64_t, float>>{}));
  }
  const at::Tensor flat = frames_FTD.reshape({-1, frames_FTD.size(2)}).to(at::kFloat).cpu();
  FastvidSelection out;
  out.segment_sizes = pure.segment_sizes;
  std::vector<at::Tensor> tokens;
  for (auto& [index, entry] : rows_out) {
    out.kept.push_back(index);
    out.sources.push_back(std::move(entry.second));
    tokens.push_back(entry.first >= 0 ? pure.tokens_KD.select(0, entry.first) : flat.select(0, index));
  }
  out.tokens_KD = tokens.empty() ? at::empty({0, flat.size(1)}) : at::stack(tokens);
  return out;
}

}  // namespace pevlm::reduction
