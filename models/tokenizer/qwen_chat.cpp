#include "models/tokenizer/qwen_chat.h"

#include <stdexcept>

namespace pevlm::tokenizer {

namespace {

// Ids of the template's special tokens, looked up once per prompt (errors name the missing one).
struct ChatIds {
  int32_t im_start, im_end, vision_start, vision_end, video_pad;
  explicit ChatIds(const Tokenizer& t)
      : im_start(t.token_id("<|im_start|>")),
        im_end(t.token_id("<|im_end|>")),
        vision_start(t.token_id("<|vision_start|>")),
        vision_end(t.token_id("<|vision_end|>")),
        video_pad(t.token_id("<|video_pad|>")) {}
};

// Appends the text's ids. Every text segment of the template is bounded by special tokens, so
// encoding segments separately gives exactly the ids of encoding the whole rendered string.
TokenRange append_text(std::vector<int32_t>& ids, const Tokenizer& tok, const std::string& text) {
  const int64_t b = static_cast<int64_t>(ids.size());
  const auto t = tok.encode(text, /*allow_special=*/false);
  ids.insert(ids.end(), t.begin(), t.end());
  return {b, static_cast<int64_t>(ids.size())};
}

// System turn and the user turn's header: <|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n
void append_header(std::vector<int32_t>& ids, const Tokenizer& tok, const ChatIds& c, const std::string& system) {
  ids.push_back(c.im_start);
  append_text(ids, tok, "system\n" + system);
  ids.push_back(c.im_end);
  append_text(ids, tok, "\n");
  ids.push_back(c.im_start);
  append_text(ids, tok, "user\n");
}

// <|vision_start|>{<|video_pad|> x n}<|vision_end|>; returns the pad range.
TokenRange append_video(std::vector<int32_t>& ids, const ChatIds& c, int64_t n) {
  if (n < 0) throw std::invalid_argument("qwen prompt: negative video token count " + std::to_string(n));
  ids.push_back(c.vision_start);
  const int64_t b = static_cast<int64_t>(ids.size());
  ids.insert(ids.end(), static_cast<size_t>(n), c.video_pad);
  const int64_t e = static_cast<int64_t>(ids.size());
  ids.push_back(c.vision_end);
  return {b, e};
}

// <|im_end|>\n<|im_start|>assistant\n
TokenRange append_footer(std::vector<int32_t>& ids, const Tokenizer& tok, const ChatIds& c) {
  const int64_t b = static_cast<int64_t>(ids.size());
  ids.push_back(c.im_end);
  append_text(ids, tok, "\n");
  ids.push_back(c.im_start);
  append_text(ids, tok, "assistant\n");
  return {b, static_cast<int64_t>(ids.size())};
}

}  // namespace

VideoPrompt qwen_video_prompt(const Tokenizer& tok, int64_t video_tokens, const std::string& text, const std::string& system) {
  const ChatIds c(tok);
  VideoPrompt p;
  p.ids.reserve(static_cast<size_t>(video_tokens > 0 ? video_tokens : 0) + text.size() / 2 + 32);
  append_header(p.ids, tok, c, system);
  p.video = append_video(p.ids, c, video_tokens);
  append_text(p.ids, tok, text);
  append_footer(p.ids, tok, c);
  return p;
}

InterleavedPrompt qwen_interleaved_prompt(const Tokenizer& tok, const std::vector<PromptPiece>& pieces,
                                          const std::string& text_before, const std::string& system) {
  const ChatIds c(tok);
  InterleavedPrompt p;
  append_header(p.ids, tok, c, system);
  append_text(p.ids, tok, text_before);
  p.prefix = {0, static_cast<int64_t>(p.ids.size())};
  for (const auto& piece : pieces) {
    PieceRanges r;
    const int64_t vb = static_cast<int64_t>(p.ids.size());
    if (piece.video_tokens != 0) {
      r.video = append_video(p.ids, c, piece.video_tokens);
      r.vision = {vb, static_cast<int64_t>(p.ids.size())};
    } else {
      r.video = r.vision = {vb, vb};
    }
    r.text = append_text(p.ids, tok, piece.text_after);
    p.pieces.push_back(r);
  }
  p.suffix = append_footer(p.ids, tok, c);
  return p;
}

}  // namespace pevlm::tokenizer
