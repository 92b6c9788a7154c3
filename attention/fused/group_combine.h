// The last step of every fused path (prefill tiles and direct decode): one query row's per-group
// softmax states -> the coefficients of its output, exactly attention/lse_merge.cpp's rule:
//   lse_g = max_g + log(sum_g) (tempered logits), W = logsumexp_g(e_g lse_g),
//   out = sum_g exp(e_g lse_g - W) O_g / sum_g.
// Groups the row never saw (sum 0) take no part; a row that saw none gets no coefficient (output 0).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "methods/attention_plan.h"

namespace pevlm::attention::fused {

// Group g's state is row_max[g * stride], row_sum[g * stride]. Writes coef[k] for the k-th used group
// and its index into used[k]; returns the count (at most groups.size() <= 8).
inline int64_t group_coefficients(const float* row_max, const float* row_sum, int64_t stride, const std::vector<LogitGroup>& groups,
                                  float* coef, int64_t* used) {
  const int64_t G = int64_t(groups.size());
  double w[8], w_total = -std::numeric_limits<double>::infinity();
  for (int64_t g = 0; g < G; ++g) {
    w[g] = -std::numeric_limits<double>::infinity();
    const float sum = row_sum[g * stride];
    if (!(sum > 0.0f)) continue;
    w[g] = groups[size_t(g)].weight_exponent * (double(row_max[g * stride]) + std::log(double(sum)));
    w_total = std::max(w_total, w[g]) + std::log1p(std::exp(-std::abs(w_total - w[g])));
  }
  int64_t n = 0;
  for (int64_t g = 0; g < G; ++g) {
    if (!std::isfinite(w[g])) continue;
    coef[n] = float(std::exp(w[g] - w_total) / double(row_sum[g * stride]));
    used[n++] = g;
  }
  return n;
}

}  // namespace pevlm::attention::fused
