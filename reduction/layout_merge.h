// The pre-LLM reductions that depend on the TokenLayout only (the matched-token baselines), torch-free so
// `pevlm speed` and the fuzz / core builds can size them: uniform_frames and spatial_pool with their budget.
#pragma once

#include "methods/token_layout.h"
#include "reduction/reduction_registry.h"
#include "reduction/token_merge.h"

namespace pevlm::reduction {

// Throws std::invalid_argument for a reduction that is not one of them (naming it).
TokenMerge layout_merge(const ReductionConfig& config, const TokenLayout& layout);

}  // namespace pevlm::reduction
