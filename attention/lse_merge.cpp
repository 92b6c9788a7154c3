#include "attention/lse_merge.h"

#include <ATen/ATen.h>

#include <stdexcept>

namespace pevlm::attention {

at::Tensor merge_partials(const std::vector<PartialAttention>& parts, const std::vector<LogitGroup>& groups) {
  TORCH_CHECK(!parts.empty(), "merge_partials: no partial results");
  if (parts.size() == 1 && groups.at(size_t(parts[0].group)).weight_exponent == 1.0)
    return parts[0].out_HND.to(at::kFloat);
  // lse of each group over its pieces.
  std::vector<at::Tensor> group_lse(groups.size());
  for (const auto& p : parts) {
    auto& g = group_lse.at(size_t(p.group));
    g = g.defined() ? at::logaddexp(g, p.lse_HN) : p.lse_HN;
  }
  // Total normaliser W = logsumexp over groups of weight_exponent * lse_g.
  at::Tensor total;
  for (size_t g = 0; g < groups.size(); ++g) {
    if (!group_lse[g].defined()) continue;
    at::Tensor w = group_lse[g] * groups[g].weight_exponent;
    total = total.defined() ? at::logaddexp(total, w) : w;
  }
  // Piece coefficient: exp(e_g * lse_g - W) * exp(lse_p - lse_g).
  at::Tensor out;
  for (const auto& p : parts) {
    const at::Tensor& lg = group_lse[size_t(p.group)];
    at::Tensor coef = at::exp(lg * groups[size_t(p.group)].weight_exponent - total + p.lse_HN - lg).unsqueeze(-1);
    at::Tensor term = coef * p.out_HND.to(at::kFloat);
    out = out.defined() ? out.add_(term) : term;
  }
  return out;
}

}  // namespace pevlm::attention
