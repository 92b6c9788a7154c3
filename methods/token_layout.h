// TokenLayout: the prompt as typed spans plus the full-attention position ids.
// Mirrors DESIGN.md "The core abstraction"; M-RoPE ids as in transformers' get_rope_index
// (../shared/reference/qwen2_5_vl.md, "M-RoPE positions").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pevlm {

// What a span of tokens is. Text before the first frame is the leading text (system prompt,
// chat header, <|vision_start|>); Text between frames is interleaved text (e.g. subtitles);
// Question is everything after the video (the question block, incl. <|vision_end|>).
enum class SpanKind { Text, Frame, Question };

const char* span_kind_name(SpanKind kind);

// A half-open token range [begin, end) of one kind. Frame spans carry their frame index
// (for Qwen2.5-VL one "frame" = one temporal grid step = 2 sampled frames).
struct Span {
  SpanKind kind = SpanKind::Text;
  int64_t begin = 0;
  int64_t end = 0;
  int64_t frame_index = -1;  // Frame spans only
  // Frame spans only: tokens at the start / end of the span that are not visual embeddings. Qwen3-VL's
  // temporal patch is "<t seconds>" + <|vision_start|>, its pads, <|vision_end|>; the other families'
  // frames are visual throughout (0, 0). Plans group whole spans; token reductions drop or merge only
  // the visual tokens [visual_begin(), visual_end()).
  int64_t lead = 0, tail = 0;
  int64_t size() const { return end - begin; }
  int64_t visual_begin() const { return begin + lead; }
  int64_t visual_end() const { return end - tail; }
};

// Position ids, `axes` rows of `length` ids (3 rows t/h/w for M-RoPE, 1 row for 1-D RoPE).
struct PositionIds {
  int axes = 1;
  int64_t length = 0;
  std::vector<int64_t> ids;  // [axes][length], row-major

  PositionIds() = default;
  PositionIds(int axes_, int64_t length_) : axes(axes_), length(length_), ids(size_t(axes_) * length_, 0) {}
  int64_t& at(int axis, int64_t token) { return ids[size_t(axis) * length + token]; }
  int64_t at(int axis, int64_t token) const { return ids[size_t(axis) * length + token]; }
  // Largest id over every axis (decode continues from max + 1).
  int64_t max_id() const;
  bool operator==(const PositionIds&) const = default;
};

// The whole prompt. Spans are contiguous, ordered and cover [0, length).
struct TokenLayout {
  std::vector<Span> spans;
  int64_t length = 0;
  PositionIds positions;  // full-attention positions (what "retain" keeps)

  // Throws std::invalid_argument naming the span when spans are not contiguous, a frame span has
  // no index, spans follow the question, or positions do not match the length.
  void validate() const;

  int64_t num_frames() const;
  // First token of the first frame; == question_begin() when there are no frames.
  int64_t video_begin() const;
  // First token of the question block; == length when there is no question.
  int64_t question_begin() const;
  // Token index at which frame `f` (0-based, counted over Frame spans) starts; f == num_frames()
  // gives the end of the context (question_begin()).
  int64_t frame_start(int64_t f) const;
  // Is token i a video (Frame) token? Used by the M-RoPE "reuse" shift (video tokens move on t only).
  std::vector<bool> video_token_mask() const;
};

// Builds a layout of leading text, `frames` frames of `tokens_per_frame` tokens, and a question;
// positions are 1-D (0..L-1) or Qwen2.5-VL M-RoPE with a frame grid of grid_h x grid_w merged
// tokens (tokens_per_frame must equal grid_h * grid_w) and temporal stride `t_stride` per frame
// (get_rope_index with second_per_grid_t * tokens_per_second = t_stride).
struct SyntheticLayoutSpec {
  int64_t leading_text = 20;
  int64_t frames = 8;
  int64_t tokens_per_frame = 256;
  int64_t question = 60;
  bool mrope = true;
  int64_t grid_h = 16;
  int64_t grid_w = 16;
  int64_t t_stride = 2;
};
TokenLayout make_synthetic_layout(const SyntheticLayoutSpec& spec);

}  // namespace pevlm
