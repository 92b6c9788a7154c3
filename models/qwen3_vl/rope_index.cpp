// Qwen3-VL M-RoPE index; see rope_index.h.
#include "models/qwen3_vl/rope_index.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace pevlm::qwen3_vl {

RopeIndex rope_index(const std::vector<int64_t>& ids, int64_t video_token_id, const std::vector<MergedGrid>& videos) {
  std::vector<MergedGrid> steps;  // one (1, rows, cols) grid per temporal patch, in order
  for (const MergedGrid& v : videos) {
    if (v.steps <= 0 || v.rows <= 0 || v.cols <= 0)
      throw std::invalid_argument("Qwen3-VL rope index: video grid (" + std::to_string(v.steps) + ", " +
                                  std::to_string(v.rows) + ", " + std::to_string(v.cols) + ") must be positive");
    for (int64_t s = 0; s < v.steps; ++s) steps.push_back({1, v.rows, v.cols});
  }
  const auto L = int64_t(ids.size());
  RopeIndex out{PositionIds(3, L), 0};
  int64_t current = 0, i = 0;
  size_t step = 0;
  while (i < L) {
    if (ids[size_t(i)] != video_token_id) {
      for (int a = 0; a < 3; ++a) out.positions.at(a, i) = current;
      ++current;
      ++i;
      continue;
    }
    int64_t run = 0;
    while (i + run < L && ids[size_t(i + run)] == video_token_id) ++run;
    if (step >= steps.size())
      throw std::invalid_argument("Qwen3-VL rope index: a video-token run at position " + std::to_string(i) +
                                  " has no temporal patch left (" + std::to_string(steps.size()) + " given)");
    const MergedGrid& g = steps[step];
    if (run != g.tokens_per_step())
      throw std::invalid_argument("Qwen3-VL rope index: the video-token run at position " + std::to_string(i) + " holds " +
                                  std::to_string(run) + " tokens, temporal patch " + std::to_string(step) + " needs " +
                                  std::to_string(g.tokens_per_step()) + " (each patch has its own vision start/end)");
    for (int64_t r = 0; r < g.rows; ++r)
      for (int64_t c = 0; c < g.cols; ++c) {
        const int64_t t = i + r * g.cols + c;
        out.positions.at(0, t) = current;
        out.positions.at(1, t) = current + r;
        out.positions.at(2, t) = current + c;
      }
    current += std::max(g.rows, g.cols);
    i += run;
    ++step;
  }
  if (step != steps.size())
    throw std::invalid_argument("Qwen3-VL rope index: the prompt holds " + std::to_string(step) +
                                " video-token runs but the videos have " + std::to_string(steps.size()) +
                                " temporal patches");
  out.rope_delta = (L > 0 ? out.positions.max_id() + 1 : 0) - L;
  return out;
}

}  // namespace pevlm::qwen3_vl
