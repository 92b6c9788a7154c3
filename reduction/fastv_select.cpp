// FastV's top-k selection; see fastv_select.h.
#include "reduction/fastv_select.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "reduction/reduced_layout.h"

namespace pevlm::reduction {

int64_t fastv_keep_count(int64_t visual, double r) {
  if (!(r >= 0.0 && r < 1.0))
    throw std::invalid_argument("fastv: r (the dropped fraction of visual tokens) must be in [0, 1), got " +
                                std::to_string(r));
  return static_cast<int64_t>(double(visual) * (1.0 - r));
}

std::vector<int64_t> fastv_select(const TokenLayout& layout, const std::vector<float>& scores, double r) {
  if (int64_t(scores.size()) != layout.length)
    throw std::invalid_argument("fastv: " + std::to_string(scores.size()) + " scores for a layout of " +
                                std::to_string(layout.length) + " tokens");
  std::vector<int64_t> visual = frame_tokens(layout);
  const int64_t keep = fastv_keep_count(int64_t(visual.size()), r);
  // Highest score first; equal scores: the earlier token first (stable on the sequence order).
  std::stable_sort(visual.begin(), visual.end(),
                   [&](int64_t a, int64_t b) { return scores[size_t(a)] > scores[size_t(b)]; });
  visual.resize(size_t(keep));
  return with_non_visual(layout, visual);
}

}  // namespace pevlm::reduction
