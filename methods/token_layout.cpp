#include "methods/token_layout.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace pevlm {

const char* span_kind_name(SpanKind kind) {
  switch (kind) {
    case SpanKind::Text: return "text";
    case SpanKind::Frame: return "frame";
    case SpanKind::Question: return "question";
  }
  return "?";
}

int64_t PositionIds::max_id() const {
  if (ids.empty()) return -1;
  return *std::max_element(ids.begin(), ids.end());
}

void TokenLayout::validate() const {
  int64_t cursor = 0;
  bool seen_question = false;
  for (size_t i = 0; i < spans.size(); ++i) {
    const Span& s = spans[i];
    const std::string where = "TokenLayout span " + std::to_string(i) + " (" + span_kind_name(s.kind) + ")";
    if (s.begin != cursor)
      throw std::invalid_argument(where + " starts at " + std::to_string(s.begin) + ", expected " + std::to_string(cursor) +
                                  " (spans must be contiguous and ordered)");
    if (s.end <= s.begin) throw std::invalid_argument(where + " is empty or reversed");
    if (s.kind == SpanKind::Frame && s.frame_index < 0) throw std::invalid_argument(where + " has no frame index");
    if (s.lead < 0 || s.tail < 0 || (s.kind == SpanKind::Frame ? s.lead + s.tail >= s.size() : s.lead + s.tail > 0))
      throw std::invalid_argument(where + " has " + std::to_string(s.lead) + " leading and " + std::to_string(s.tail) +
                                  " trailing non-visual tokens of " + std::to_string(s.size()) +
                                  " (only frame spans have them, and keep at least one visual token)");
    if (seen_question && s.kind != SpanKind::Question)
      throw std::invalid_argument(where + " follows the question block (the question must be last)");
    seen_question = seen_question || s.kind == SpanKind::Question;
    cursor = s.end;
  }
  if (cursor != length)
    throw std::invalid_argument("TokenLayout spans cover " + std::to_string(cursor) + " tokens, length is " + std::to_string(length));
  if (positions.length != length || positions.ids.size() != size_t(positions.axes) * size_t(length))
    throw std::invalid_argument("TokenLayout positions have length " + std::to_string(positions.length) + ", expected " +
                                std::to_string(length));
  if (positions.axes != 1 && positions.axes != 3)
    throw std::invalid_argument("TokenLayout positions have " + std::to_string(positions.axes) + " axes, expected 1 or 3");
}

int64_t TokenLayout::num_frames() const {
  return std::count_if(spans.begin(), spans.end(), [](const Span& s) { return s.kind == SpanKind::Frame; });
}

int64_t TokenLayout::video_begin() const {
  for (const Span& s : spans)
    if (s.kind == SpanKind::Frame) return s.begin;
  return question_begin();
}

int64_t TokenLayout::question_begin() const {
  for (const Span& s : spans)
    if (s.kind == SpanKind::Question) return s.begin;
  return length;
}

int64_t TokenLayout::frame_start(int64_t f) const {
  int64_t seen = 0;
  for (const Span& s : spans) {
    if (s.kind != SpanKind::Frame) continue;
    if (seen == f) return s.begin;
    ++seen;
  }
  if (f == seen) return question_begin();
  throw std::out_of_range("TokenLayout::frame_start: frame " + std::to_string(f) + " of " + std::to_string(seen));
}

std::vector<bool> TokenLayout::video_token_mask() const {
  std::vector<bool> mask(size_t(length), false);
  for (const Span& s : spans)
    if (s.kind == SpanKind::Frame) std::fill(mask.begin() + s.begin, mask.begin() + s.end, true);
  return mask;
}

TokenLayout make_synthetic_layout(const SyntheticLayoutSpec& spec) {
  if (spec.leading_text < 0 || spec.frames < 0 || spec.tokens_per_frame <= 0 || spec.question < 0)
    throw std::invalid_argument("synthetic layout: sizes must be non-negative and tokens_per_frame positive");
  if (spec.mrope && spec.grid_h * spec.grid_w != spec.tokens_per_frame)
    throw std::invalid_argument("synthetic layout: grid_h * grid_w (" + std::to_string(spec.grid_h * spec.grid_w) +
                                ") must equal tokens_per_frame (" + std::to_string(spec.tokens_per_frame) + ") for M-RoPE");
  TokenLayout layout;
  int64_t cursor = 0;
  auto add = [&](SpanKind kind, int64_t n, int64_t frame) {
    if (n <= 0) return;
    layout.spans.push_back(Span{kind, cursor, cursor + n, frame});
    cursor += n;
  };
  add(SpanKind::Text, spec.leading_text, -1);
  for (int64_t f = 0; f < spec.frames; ++f) add(SpanKind::Frame, spec.tokens_per_frame, f);
  add(SpanKind::Question, spec.question, -1);
  layout.length = cursor;
  layout.positions = PositionIds(spec.mrope ? 3 : 1, cursor);
  if (!spec.mrope) {
    for (int64_t i = 0; i < cursor; ++i) layout.positions.at(0, i) = i;
    return layout;
  }
  // get_rope_index: text runs on all axes; video t = st + k * t_stride, h = st + row, w = st + col;
  // the text after the video continues from max + 1.
  int64_t next = 0;
  for (const Span& s : layout.spans) {
    if (s.kind != SpanKind::Frame) {
      for (int64_t i = s.begin; i < s.end; ++i)
        for (int a = 0; a < 3; ++a) layout.positions.at(a, i) = next + (i - s.begin);
      next += s.size();
      continue;
    }
    // Consecutive frames share the start index of their video: recover it from frame 0.
    const int64_t st = (s.frame_index == 0) ? next : layout.positions.at(0, layout.frame_start(0)) - 0;
    for (int64_t i = s.begin; i < s.end; ++i) {
      const int64_t k = i - s.begin;
      layout.positions.at(0, i) = st + s.frame_index * spec.t_stride;
      layout.positions.at(1, i) = st + k / spec.grid_w;
      layout.positions.at(2, i) = st + k % spec.grid_w;
    }
    const int64_t span_max = std::max({st + s.frame_index * spec.t_stride, st + spec.grid_h - 1, st + spec.grid_w - 1});
    next = std::max(next, span_max + 1);
  }
  return layout;
}

}  // namespace pevlm
