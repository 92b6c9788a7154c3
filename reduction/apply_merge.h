// Applying a TokenMerge to the prompt embeddings (torch side of token_merge.h).
#pragma once

#include <ATen/core/Tensor.h>

#include "methods/token_layout.h"
#include "reduction/token_merge.h"

namespace pevlm::reduction {

struct MergedInput {
  at::Tensor x_LD;     // [representative.size(), hidden], x's dtype and device
  TokenLayout layout;  // reduced_layout.h: spans shrink, original positions
};

// Applies `merge` to the prompt embeddings x_LD [L, hidden] of `layout`. Throws std::invalid_argument naming
// the entry when a source index is out of range or the sizes disagree.
MergedInput apply_merge(const at::Tensor& x_LD, const TokenLayout& layout, const TokenMerge& merge);

}  // namespace pevlm::reduction
