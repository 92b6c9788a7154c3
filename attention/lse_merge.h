// Log-sum-exp merge of partial attention outputs (one per key range) into the final output,
// including APE's group rule (methods.md): within a logit group pieces merge by plain LSE; groups
// mix with weights exp(weight_exponent * lse_group). Computed in fp32.
#pragma once

#include <vector>

#include <ATen/core/Tensor.h>

#include "methods/attention_plan.h"

namespace pevlm::attention {

// One partial result: out_HND [H, n, D] normalised over its own keys (any float dtype),
// lse_HN [H, n] float32 = log sum_j exp(logit_ij) over the same keys (logits already tempered).
struct PartialAttention {
  at::Tensor out_HND;
  at::Tensor lse_HN;
  int group = 0;
};

// Returns out_HND [H, n, D] float32. With a single piece of a (1, 1) group, returns it unchanged
// (converted to float32).
at::Tensor merge_partials(const std::vector<PartialAttention>& parts, const std::vector<LogitGroup>& groups);

}  // namespace pevlm::attention
