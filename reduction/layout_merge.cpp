// Layout-only pre-LLM reductions; see layout_merge.h.
#include "reduction/layout_merge.h"

#include <stdexcept>

#include "reduction/matched_baselines.h"
#include "reduction/reduced_layout.h"

namespace pevlm::reduction {

TokenMerge layout_merge(const ReductionConfig& config, const TokenLayout& layout) {
  const int64_t visual = int64_t(frame_tokens(layout).size());
  if (config.name == "uniform_frames") return keep_only(uniform_frames_select(layout, visual_budget(config.params, visual)));
  if (config.name == "spatial_pool") return spatial_pool_merge(layout, visual_budget(config.params, visual));
  throw std::invalid_argument("reduction '" + config.name + "' does not reduce by the layout alone");
}

}  // namespace pevlm::reduction
