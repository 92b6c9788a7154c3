#include "models/qwen2_5_vl/prompt.h"

#include <stdexcept>

namespace pevlm::qwen2_5_vl {
namespace {

void append_text(std::vector<int64_t>& ids, const tokenizer::Tokenizer& tok, const std::string& text, bool allow_special) {
  for (int32_t id : tok.encode(text, allow_special)) ids.push_back(id);
}

}  // namespace

BuiltPrompt build_video_prompt(const tokenizer::Tokenizer& tok, const Qwen25VLConfig& config, const std::string& system_prompt,
                               const std::vector<PromptSegment>& segments, const std::string& question,
                               const RopeIndexOptions& rope_options) {
  const int64_t merge2 = config.vision.spatial_merge_size * config.vision.spatial_merge_size;
  const int64_t video_pad = config.tokens.video_pad, vstart = config.tokens.vision_start, vend = config.tokens.vision_end;
  if (video_pad < 0 || vstart < 0 || vend < 0)
    throw std::invalid_argument(config.source + ": video_token_id / vision_start_token_id / vision_end_token_id are required");
  BuiltPrompt out;
  auto& ids = out.ids;
  // System + user header: template text with its special tokens.
  append_text(ids, tok, "<|im_start|>system\n" + system_prompt + "<|im_end|>\n<|im_start|>user\n", true);
  out.text = "<|im_start|>system\n" + system_prompt + "<|im_end|>\n<|im_start|>user\n";
  struct VideoRange {
    int64_t begin, steps, per_step;
  };
  std::vector<VideoRange> videos;
  std::vector<VideoSpec> specs;
  int64_t last_vision_end = -1;
  std::string pending_text;  // consecutive text segments are encoded together
  auto flush_text = [&] {
    if (!pending_text.empty()) append_text(ids, tok, pending_text, false);
    out.text += pending_text;
    pending_text.clear();
  };
  for (const PromptSegment& seg : segments) {
    if (seg.kind == PromptSegment::Kind::Text) {
      pending_text += seg.text;
      continue;
    }
    flush_text();
    const GridTHW& g = seg.video.grid;
    if (g.t <= 0 || g.h <= 0 || g.w <= 0 || (g.h * g.w) % merge2)
      throw std::invalid_argument("video grid (" + std::to_string(g.t) + ", " + std::to_string(g.h) + ", " + std::to_string(g.w) +
                                  ") is not a valid merged grid");
    ids.push_back(vstart);
    const int64_t per_step = g.h * g.w / merge2;
    videos.push_back({int64_t(ids.size()), g.t, per_step});
    ids.insert(ids.end(), size_t(g.t * per_step), video_pad);
    last_vision_end = int64_t(ids.size());
    ids.push_back(vend);
    specs.push_back(seg.video);
    out.video_tokens += g.t * per_step;
    out.text += "<|vision_start|><|video_pad|><|vision_end|>";
  }
  pending_text += question;
  flush_text();
  append_text(ids, tok, "<|im_end|>\n<|im_start|>assistant\n", true);
  out.text += "<|im_end|>\n<|im_start|>assistant\n";

  // Spans: text until the first video token, a Frame span per grid step, text between videos,
  // the question block from the last <|vision_end|>.
  TokenLayout& layout = out.layout;
  layout.length = int64_t(ids.size());
  int64_t cursor = 0, frame = 0;
  const int64_t question_begin = last_vision_end >= 0 ? last_vision_end : layout.length;
  for (const VideoRange& v : videos) {
    if (v.begin > cursor) layout.spans.push_back(Span{SpanKind::Text, cursor, v.begin, -1});
    for (int64_t s = 0; s < v.steps; ++s, ++frame)
      layout.spans.push_back(Span{SpanKind::Frame, v.begin + s * v.per_step, v.begin + (s + 1) * v.per_step, frame});
    cursor = v.begin + v.steps * v.per_step;
  }
  if (question_begin > cursor) layout.spans.push_back(Span{SpanKind::Text, cursor, question_begin, -1});
  if (layout.length > question_begin) layout.spans.push_back(Span{SpanKind::Question, question_begin, layout.length, -1});
  const RopeIndex rope = mrope_index(ids, video_pad, specs, rope_options);
  layout.positions = rope.positions;
  out.rope_delta = rope.rope_delta;
  layout.validate();
  return out;
}

}  // namespace pevlm::qwen2_5_vl
