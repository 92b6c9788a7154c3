// Applying a pre-LLM TokenMerge; see apply_merge.h.
#include "reduction/apply_merge.h"

#include <ATen/ATen.h>

#include <stdexcept>
#include <string>

#include "reduction/reduced_layout.h"

namespace pevlm::reduction {

MergedInput apply_merge(const at::Tensor& x_LD, const TokenLayout& layout, const TokenMerge& merge) {
  if (!x_LD.defined() || x_LD.dim() != 2 || x_LD.size(0) != layout.length)
    throw std::invalid_argument("reduction: embeddings must be [" + std::to_string(layout.length) + ", hidden] for the layout");
  if (!merge.sources.empty() && merge.sources.size() != merge.representative.size())
    throw std::invalid_argument("reduction: " + std::to_string(merge.sources.size()) + " merge sources for " +
                                std::to_string(merge.representative.size()) + " output tokens");
  MergedInput out;
  out.layout = subset_layout(layout, merge.representative);
  const at::Tensor rows = at::tensor(merge.representative, at::kLong).to(x_LD.device());
  out.x_LD = x_LD.index_select(0, rows);
  if (merge.sources.empty()) return out;
  std::vector<int64_t> dst, src;
  std::vector<float> w;
  for (size_t r = 0; r < merge.sources.size(); ++r) {
    for (const auto& [token, weight] : merge.sources[r]) {
      if (token < 0 || token >= layout.length)
        throw std::invalid_argument("reduction: merge source " + std::to_string(token) + " of output token " +
                                    std::to_string(r) + " is outside [0, " + std::to_string(layout.length) + ")");
      dst.push_back(int64_t(r));
      src.push_back(token);
      w.push_back(weight);
    }
  }
  if (dst.empty()) return out;
  // Rows with sources are rebuilt as sum(w * x[src]) in float32 (index_add_ in source order).
  const auto dev = x_LD.device();
  const at::Tensor src_t = at::tensor(src, at::kLong).to(dev), dst_t = at::tensor(dst, at::kLong).to(dev);
  const at::Tensor w_t = at::tensor(w, at::kFloat).to(dev).unsqueeze(1);
  at::Tensor merged = at::zeros({out.x_LD.size(0), x_LD.size(1)}, x_LD.options().dtype(at::kFloat));
  merged.index_add_(0, dst_t, x_LD.index_select(0, src_t).to(at::kFloat) * w_t);
  std::vector<uint8_t> has(merge.sources.size(), 0);
  for (int64_t d : dst) has[size_t(d)] = 1;
  const at::Tensor mask = at::tensor(std::vector<int64_t>(has.begin(), has.end()), at::kLong).to(dev).to(at::kBool);
  out.x_LD = at::where(mask.unsqueeze(1), merged.to(x_LD.scalar_type()), out.x_LD);
  return out;
}

}  // namespace pevlm::reduction
