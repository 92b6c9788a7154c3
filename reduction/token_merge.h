// A pre-LLM reduction's result on the visual embeddings: which tokens go on, and for merging methods
// (FastVID's context tokens, spatial pooling) the weighted sources each output token is made of.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "methods/token_layout.h"

namespace pevlm::reduction {

struct TokenMerge {
  // Output row r sits at token representative[r] of the input layout (its span, its position ids);
  // strictly increasing, the last input token included.
  std::vector<int64_t> representative;
  // Empty: every output row is its representative's embedding. Otherwise one entry per output row:
  // (input token, weight) pairs, the row being sum(weight * x[token]) computed in float32; an empty
  // entry means the representative itself.
  std::vector<std::vector<std::pair<int64_t, float>>> sources;
};

// A TokenMerge that keeps `kept` as they are.
TokenMerge keep_only(std::vector<int64_t> kept);

}  // namespace pevlm::reduction
