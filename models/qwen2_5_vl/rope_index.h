// Qwen2.5-VL M-RoPE position ids (3 rows t, h, w) for a prompt with video spans
// (library pevlm_qwen_vision).
//
// Mirrors transformers 4.50 modeling_qwen2_5_vl.py, Qwen2_5_VLForConditionalGeneration
// .get_rope_index (video path, batch of one, no padding); facts in
// ../shared/reference/qwen2_5_vl.md, "M-RoPE positions".
//
// Errors: std::invalid_argument naming what is inconsistent (token counts vs grids, ...).
#pragma once

#include <cstdint>
#include <vector>

#include "methods/token_layout.h"
#include "models/qwen2_5_vl/preprocess.h"

namespace pevlm::qwen2_5_vl {

// How the temporal id of grid step k is computed from second_per_grid_t (spg) and
// tokens_per_second (tps). The two agree when spg is an integer (the default fps = 2 gives 1.0).
enum class TemporalRule {
  // transformers 4.50: long(float32(k * spg) * tps), i.e. floor of the float32 product.
  FloorProduct,
  // Versions that truncate spg to an integer first: k * long(spg) * tps (tps truncated too).
  TruncateSecondPerGrid,
};

// Where text after a video continues. 4.50 (the golden, and the released models' training code)
// continues from max(all previous ids) + 1; transformers 5.x advances by max(h, w) / merge
// from the video's start instead (ignores the temporal extent).
enum class TextAfterVideo { MaxPlusOne, SpatialExtent };

// Options of the M-RoPE index.
struct RopeIndexOptions {
  int64_t spatial_merge_size = 2;   // vision_config.spatial_merge_size
  double tokens_per_second = 2.0;   // vision_config.tokens_per_second
  TemporalRule temporal_rule = TemporalRule::FloorProduct;
  TextAfterVideo text_after_video = TextAfterVideo::MaxPlusOne;
};

// One video of the prompt: its patch grid (as preprocess_video returns it) and its
// second_per_grid_t = temporal_patch_size / fps (1.0 at fps 2).
struct VideoSpec {
  GridTHW grid;
  double second_per_grid_t = 1.0;
};

// get_rope_index's result: ids [3][L] (rows t, h, w) and rope_delta = max(ids) + 1 - L (decode
// step i uses position L + i + rope_delta on all three axes).
struct RopeIndex {
  PositionIds positions;  // axes = 3
  int64_t rope_delta = 0;
};

// get_rope_index for one sequence: walks `input_ids`; every maximal run of `video_token_id` is
// matched, in order, with `videos` and must hold t*h*w/merge^2 tokens (a run may contain several
// consecutive videos back to back, consumed in order). Text tokens take the same running index on
// all axes; a video starting after text index s-1 gets t = s + temporal(k), h = s + row,
// w = s + col (order t, row, col). Throws std::invalid_argument when token counts and grids
// disagree or videos are left over.
RopeIndex mrope_index(const std::vector<int64_t>& input_ids, int64_t video_token_id,
                      const std::vector<VideoSpec>& videos, const RopeIndexOptions& options);

// A prompt described as spans, for building TokenLayout positions without token ids:
// `text` text tokens, then (if has_video) one video.
struct RopeSpan {
  int64_t text = 0;
  bool has_video = false;
  VideoSpec video;
};

// The same ids for a span list (text of span i, then its video, for each i).
RopeIndex mrope_index_from_spans(const std::vector<RopeSpan>& spans, const RopeIndexOptions& options);

// Temporal id offset of grid step k (before adding the start index), per options.temporal_rule.
int64_t mrope_temporal_id(int64_t k, double second_per_grid_t, const RopeIndexOptions& options);

}  // namespace pevlm::qwen2_5_vl
