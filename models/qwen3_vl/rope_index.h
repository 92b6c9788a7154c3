// Qwen3-VL M-RoPE position ids (3 rows t, h, w) of a prompt whose video is split into temporal
// patches, each with its own timestamp text and vision start/end (library pevlm_qwen3_vl_prompt,
// torch-free).
//
// Mirrors transformers 5.25 modeling_qwen3_vl.py Qwen3VLModel.get_rope_index (video path, batch of
// one, no padding): video_grid_thw is split into t grids of (1, h, w); text tokens take the same
// running index on all axes; the k-th run of video tokens takes the k-th step: t = s (the temporal
// index is 0 inside a patch: time lives in the timestamp text), h = s + row, w = s + col over the
// merged grid, and the text after it continues at s + max(h, w) / merge. 4.57's
// get_rope_index gives the same ids (it continues at max + 1 = s + max(h, w) / merge).
#pragma once

#include <cstdint>
#include <vector>

#include "methods/token_layout.h"

namespace pevlm::qwen3_vl {

// One video of the prompt in merged tokens: `steps` temporal patches of rows x cols tokens.
struct MergedGrid {
  int64_t steps = 0, rows = 0, cols = 0;
  int64_t tokens_per_step() const { return rows * cols; }
};

struct RopeIndex {
  PositionIds positions;  // axes = 3
  int64_t rope_delta = 0; // max(ids) + 1 - L: decode step i uses L + i + rope_delta on all axes
};

// Walks `input_ids`: every maximal run of `video_token_id` is the next temporal step of `videos`
// (in order) and must hold exactly rows * cols tokens. Throws std::invalid_argument when a run's
// length differs, steps are left over or missing.
RopeIndex rope_index(const std::vector<int64_t>& input_ids, int64_t video_token_id,
                     const std::vector<MergedGrid>& videos);

}  // namespace pevlm::qwen3_vl
