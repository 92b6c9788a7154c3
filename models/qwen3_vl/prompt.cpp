// Qwen3-VL video prompt; see prompt.h.
#include "models/qwen3_vl/prompt.h"

#include <cstdio>
#include <stdexcept>

namespace pevlm::qwen3_vl {
namespace {

void append(std::vector<int64_t>& ids, const tokenizer::Tokenizer& tok, const std::string& text, bool allow_special) {
  for (int32_t id : tok.encode(text, allow_special)) ids.push_back(id);
}

}  // namespace

std::vector<double> patch_timestamps(const std::vector<int64_t>& frame_indices, double video_fps,
                                     int64_t temporal_patch_size) {
  if (frame_indices.empty()) throw std::invalid_argument("Qwen3-VL timestamps: no sampled frames");
  if (!(video_fps > 0)) throw std::invalid_argument("Qwen3-VL timestamps: video fps must be positive, got " + std::to_string(video_fps));
  if (temporal_patch_size < 1)
    throw std::invalid_argument("Qwen3-VL timestamps: temporal_patch_size must be >= 1, got " + std::to_string(temporal_patch_size));
  std::vector<int64_t> idx = frame_indices;
  while (idx.size() % size_t(temporal_patch_size) != 0) idx.push_back(idx.back());
  std::vector<double> out;
  for (size_t i = 0; i < idx.size(); i += size_t(temporal_patch_size)) {
    const double first = double(idx[i]) / video_fps, last = double(idx[i + size_t(temporal_patch_size) - 1]) / video_fps;
    out.push_back((first + last) / 2);
  }
  return out;
}

std::string timestamp_text(double seconds) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "<%.1f seconds>", seconds);  // glibc: exact decimal, round-half-even
  return buf;
}

BuiltPrompt build_video_prompt(const tokenizer::Tokenizer& tok, const PromptTokens& tokens, const std::string& system_prompt,
                               const std::string& before, const TimedVideo& video, const std::string& question) {
  if (tokens.vision_start < 0 || tokens.vision_end < 0 || tokens.video_pad < 0)
    throw std::invalid_argument("Qwen3-VL prompt: vision_start / vision_end / video token ids are required");
  const MergedGrid& g = video.grid;
  if (g.steps <= 0 || g.rows <= 0 || g.cols <= 0)
    throw std::invalid_argument("Qwen3-VL prompt: the video grid must be positive");
  if (int64_t(video.timestamps.size()) != g.steps)
    throw std::invalid_argument("Qwen3-VL prompt: " + std::to_string(video.timestamps.size()) + " timestamps for " +
                                std::to_string(g.steps) + " temporal patches");
  BuiltPrompt out;
  auto& ids = out.ids;
  std::string header = system_prompt.empty() ? "" : "<|im_start|>system\n" + system_prompt + "<|im_end|>\n";
  header += "<|im_start|>user\n";
  append(ids, tok, header, true);
  if (!before.empty()) append(ids, tok, before, false);
  out.text = header + before;
  TokenLayout& layout = out.layout;
  layout.spans.push_back(Span{SpanKind::Text, 0, int64_t(ids.size()), -1});
  for (int64_t s = 0; s < g.steps; ++s) {
    const int64_t begin = int64_t(ids.size());
    const std::string stamp = timestamp_text(video.timestamps[size_t(s)]);
    append(ids, tok, stamp, false);
    ids.push_back(tokens.vision_start);
    const int64_t lead = int64_t(ids.size()) - begin;  // the timestamp's tokens and <|vision_start|>
    ids.insert(ids.end(), size_t(g.tokens_per_step()), tokens.video_pad);
    ids.push_back(tokens.vision_end);
    Span frame{SpanKind::Frame, begin, int64_t(ids.size()), s};
    frame.lead = lead;
    frame.tail = 1;  // <|vision_end|>
    layout.spans.push_back(frame);
    out.video_tokens += g.tokens_per_step();
    out.text += stamp + "<|vision_start|><|video_pad|><|vision_end|>";
  }
  const int64_t question_begin = int64_t(ids.size());
  append(ids, tok, question, false);
  append(ids, tok, "<|im_end|>\n<|im_start|>assistant\n", true);
  out.text += question + "<|im_end|>\n<|im_start|>assistant\n";
  layout.length = int64_t(ids.size());
  layout.spans.push_back(Span{SpanKind::Question, question_begin, layout.length, -1});
  if (layout.spans.front().size() == 0) layout.spans.erase(layout.spans.begin());
  RopeIndex rope = rope_index(ids, tokens.video_pad, {g});
  layout.positions = rope.positions;
  out.rope_delta = rope.rope_delta;
  layout.validate();
  return out;
}

}  // namespace pevlm::qwen3_vl
