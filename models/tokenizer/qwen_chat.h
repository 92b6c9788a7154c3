// Qwen chat-template prompts for a video question, as token ids plus the ranges of the video tokens.
// The strings are those of chat_template.jinja (Qwen2.5-VL processor) for one user message holding a
// video and text, with add_generation_prompt = true; see reference/qwen2_5_vl.md, Tokenizer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/tokenizer/tokenizer.h"

namespace pevlm::tokenizer {

inline constexpr const char* kQwenDefaultSystemPrompt = "You are a helpful assistant.";

// Half-open token index range [begin, end).
struct TokenRange {
  int64_t begin = 0;
  int64_t end = 0;
  int64_t size() const { return end - begin; }
};

// <|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n<|vision_start|>{<|video_pad|> x N}
// <|vision_end|>{text}<|im_end|>\n<|im_start|>assistant\n
struct VideoPrompt {
  std::vector<int32_t> ids;
  TokenRange video;  // the N <|video_pad|> tokens (without vision_start/end)
};

// User `text` is encoded with special tokens disabled (a "<|im_end|>" typed in a question stays text).
// Throws std::invalid_argument when video_tokens < 0 and std::out_of_range when the tokenizer lacks
// a Qwen special token.
VideoPrompt qwen_video_prompt(const Tokenizer& tok, int64_t video_tokens, const std::string& text,
                              const std::string& system = kQwenDefaultSystemPrompt);

// One frame group followed by text (the subtitle protocol interleaves subtitles between frames).
struct PromptPiece {
  int64_t video_tokens = 0;  // 0 = text only, no vision markers
  std::string text_after;
};

// Where one piece landed in the prompt.
struct PieceRanges {
  TokenRange vision;  // <|vision_start|> .. <|vision_end|> inclusive (empty when video_tokens = 0)
  TokenRange video;   // the <|video_pad|> tokens
  TokenRange text;    // text_after
};

// <|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{text_before}
// then per piece: <|vision_start|>{<|video_pad|> x n}<|vision_end|>{text_after}
// then <|im_end|>\n<|im_start|>assistant\n.
// Each frame group is its own vision span, as the template renders consecutive video items.
// Each text is encoded on its own, so its tokens are exactly its range. Where a vision span separates
// two texts this equals encoding the rendered string; two adjacent texts (a piece with
// video_tokens = 0) get a token boundary between them that the rendered string might not have.
struct InterleavedPrompt {
  std::vector<int32_t> ids;
  TokenRange prefix;  // system turn + "<|im_start|>user\n" + text_before
  std::vector<PieceRanges> pieces;
  TokenRange suffix;  // "<|im_end|>\n<|im_start|>assistant\n"
};

InterleavedPrompt qwen_interleaved_prompt(const Tokenizer& tok, const std::vector<PromptPiece>& pieces,
                                          const std::string& text_before = "",
                                          const std::string& system = kQwenDefaultSystemPrompt);

}  // namespace pevlm::tokenizer
