// UV-Prune scores, kept rows and the pruned layout; see uv_prune.h.
#include "decoders/uv_prune.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace pevlm::decoders {

at::Tensor cosine_rows(const at::Tensor& h_LD, const std::vector<int64_t>& visual_rows, const std::vector<int64_t>& text_rows) {
  const auto rows = [&](const std::vector<int64_t>& idx) {
    const at::Tensor i = at::tensor(idx, at::kLong).to(h_LD.device());
    // float32 and unit length: cos = normalised dot product (norms clamped as torch's cosine_similarity).
    const at::Tensor x = h_LD.index_select(0, i).to(at::kFloat);
    return x / x.norm(2, {1}, /*keepdim=*/true).clamp_min(1e-8);
  };
  return at::matmul(rows(visual_rows), rows(text_rows).t());
}

int64_t uv_prune_keep_count(int64_t visual, double alpha) {
  if (!(alpha >= 0.0 && alpha <= 1.0)) throw std::invalid_argument("UV-Prune: alpha must be in [0, 1], got " + std::to_string(alpha));
  return std::clamp<int64_t>(std::llround((1.0 - alpha) * double(visual)), 0, visual);
}

std::vector<int64_t> uv_prune_rows(const at::Tensor& scores_V, const std::vector<int64_t>& visual_rows, int64_t length,
                                   int64_t keep) {
  if (scores_V.numel() != int64_t(visual_rows.size()))
    throw std::invalid_argument("UV-Prune: " + std::to_string(scores_V.numel()) + " scores for " +
                                std::to_string(visual_rows.size()) + " visual rows");
  std::vector<bool> is_visual(size_t(length), false), kept(size_t(length), false);
  for (int64_t r : visual_rows) is_visual.at(size_t(r)) = true;
  if (keep > 0) {
    // Stable descending sort: equal scores keep index order, so ties go to the lower index.
    const at::Tensor order = std::get<1>(scores_V.to(at::kFloat).cpu().sort(/*stable=*/true, 0, /*descending=*/true)).contiguous();
    const int64_t* o = order.data_ptr<int64_t>();
    for (int64_t i = 0; i < std::min<int64_t>(keep, order.numel()); ++i) kept[size_t(visual_rows[size_t(o[i])])] = true;
  }
  std::vector<int64_t> out;
  for (int64_t r = 0; r < length; ++r)
    if (!is_visual[size_t(r)] || kept[size_t(r)]) out.push_back(r);
  return out;
}

TokenLayout prune_layout(const TokenLayout& layout, const std::vector<int64_t>& kept_rows) {
  TokenLayout out;
  out.positions = PositionIds(layout.positions.axes, int64_t(kept_rows.size()));
  size_t k = 0;
  for (const Span& s : layout.spans) {
    const int64_t begin = int64_t(k);
    for (; k < kept_rows.size() && kept_rows[k] < s.end; ++k) {
      if (kept_rows[k] < s.begin) throw std::invalid_argument("prune_layout: kept rows must be ascending and unique");
      for (int a = 0; a < layout.positions.axes; ++a) out.positions.at(a, int64_t(k)) = layout.positions.at(a, kept_rows[k]);
    }
    if (int64_t(k) > begin) out.spans.push_back(Span{s.kind, begin, int64_t(k), s.frame_index});
  }
  if (k != kept_rows.size())
    throw std::invalid_argument("prune_layout: kept row " + std::to_string(kept_rows[k]) + " is outside the layout of " +
                                std::to_string(layout.length) + " tokens");
  out.length = int64_t(kept_rows.size());
  out.validate();
  return out;
}

UvPruneSelector::UvPruneSelector(const TokenLayout& layout, double alpha, int64_t early_layers)
    : length_(layout.length), early_layers_(early_layers), rows_(promise_.get_future().share()) {
  if (early_layers < 1) throw std::invalid_argument("UV-Prune: early_layers must be >= 1, got " + std::to_string(early_layers));
  for (const Span& s : layout.spans)
    if (s.kind == SpanKind::Frame)
      for (int64_t i = s.begin; i < s.end; ++i) visual_rows_.push_back(i);
  const int64_t q0 = std::min(layout.question_begin(), layout.length - 1);
  for (int64_t j = std::max<int64_t>(q0, 0); j < layout.length; ++j) text_rows_.push_back(j);
  keep_ = uv_prune_keep_count(int64_t(visual_rows_.size()), alpha);
}

std::function<void(int64_t, const at::Tensor&)> UvPruneSelector::observer() {
  return [this](int64_t n, const at::Tensor& h) { observe(n, h); };
}

void UvPruneSelector::observe(int64_t n, const at::Tensor& h_LD) {
  if (published_ || n > early_layers_) return;
  if (h_LD.size(0) != length_)
    throw std::invalid_argument("UV-Prune: the layout has " + std::to_string(length_) + " tokens, the prefill " +
                                std::to_string(h_LD.size(0)));
  if (visual_rows_.empty() || text_rows_.empty()) {  // nothing to prune: every row kept
    published_ = true;
    scores_V_ = at::zeros({int64_t(visual_rows_.size())}, at::kFloat);
    promise_.set_value(uv_prune_rows(scores_V_, visual_rows_, length_, keep_));
    return;
  }
  if (n == 0) s0_VT_ = cosine_rows(h_LD, visual_rows_, text_rows_);
  if (n != early_layers_) return;
  scores_V_ = (cosine_rows(h_LD, visual_rows_, text_rows_) - s0_VT_).sum(1).cpu();
  published_ = true;
  promise_.set_value(uv_prune_rows(scores_V_, visual_rows_, length_, keep_));
}

at::Tensor UvPruneSelector::scores() const {
  if (!published_)
    throw std::logic_error("UV-Prune: layer " + std::to_string(early_layers_) +
                           " was not observed (pass observer() as llm::PrefillOptions::observe_hidden; early_layers <= layers)");
  return scores_V_;
}

void UvPruneSelector::fail(std::exception_ptr error) {
  if (published_) return;
  published_ = true;
  promise_.set_exception(error);
}

}  // namespace pevlm::decoders
