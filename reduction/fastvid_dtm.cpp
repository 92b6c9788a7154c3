// FastVID's density-peak score and context merge; see fastvid_dtm.h.
#include "reduction/fastvid_dtm.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

namespace pevlm::reduction {

std::vector<int64_t> fastvid_index_vector(const at::Tensor& t) {
  const at::Tensor c = t.to(at::kLong).contiguous().cpu();
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

at::Tensor fastvid_density_score(const at::Tensor& x_ND, at::Generator& gen) {
  const at::Tensor x = x_ND.unsqueeze(0).to(at::kFloat);
  const int64_t n = x.size(1), dim = x.size(2);
  const at::Tensor dist = at::cdist(x, x) / std::pow(double(dim), 0.5);
  const at::Tensor nearest = std::get<0>(at::topk(dist, std::min<int64_t>(4, n), -1, /*largest=*/false));
  at::Tensor density = (-(nearest.pow(2)).mean(-1)).exp();
  density = density + at::rand(density.sizes(), gen, density.options()) * 1e-6;
  const at::Tensor mask = at::gt(density.unsqueeze(1), density.unsqueeze(2)).to(x.scalar_type());
  const at::Tensor dist_max = std::get<0>(dist.flatten(1).max(-1)).unsqueeze(-1).unsqueeze(-1);
  const at::Tensor indicator = std::get<0>((dist * mask + dist_max * (1 - mask)).min(-1));
  return (indicator * density).select(0, 0);
}

ContextMerge fastvid_merge_context(const at::Tensor& tokens_ND, const at::Tensor& unit_ND, const at::Tensor& merge,
                                   const at::Tensor& context, double beta) {
  const at::Tensor similarity = at::mm(unit_ND.index_select(0, merge), unit_ND.index_select(0, context).t());
  const at::Tensor owner_t = similarity.argmax(1);
  at::Tensor assign = at::zeros({merge.size(0), context.size(0)}, tokens_ND.options());
  assign.scatter_(1, owner_t.unsqueeze(-1), 1);
  const at::Tensor avg_w = (1 / (assign.sum(0).unsqueeze(-1) + 1)).clamp_min(beta);
  const at::Tensor counts = assign.sum(0).clamp_min(1).unsqueeze(-1);
  const at::Tensor aggregated = at::mm(assign.t(), tokens_ND.index_select(0, merge)) / counts;
  ContextMerge out;
  out.tokens_KD = avg_w * tokens_ND.index_select(0, context) + (1 - avg_w) * aggregated;
  // The same rows as weights on the input tokens (apply_merge.h).
  const std::vector<int64_t> ctx_v = fastvid_index_vector(context), merge_v = fastvid_index_vector(merge), owner = fastvid_index_vector(owner_t);
  const at::Tensor w_c = avg_w.squeeze(-1).to(at::kFloat).contiguous();
  std::vector<int64_t> count(ctx_v.size(), 0);
  for (int64_t o : owner) ++count[size_t(o)];
  out.sources.resize(ctx_v.size());
  for (size_t j = 0; j < ctx_v.size(); ++j) {
    if (count[j] == 0) continue;  // avg_w = 1, nothing aggregated: the token itself
    const float w = w_c.data_ptr<float>()[j];
    auto& row = out.sources[j];
    row.emplace_back(ctx_v[j], w);
    for (size_t m = 0; m < merge_v.size(); ++m)
      if (owner[m] == int64_t(j)) row.emplace_back(merge_v[m], (1.0f - w) / float(count[j]));
  }
  return out;
}

}  // namespace pevlm::reduction
