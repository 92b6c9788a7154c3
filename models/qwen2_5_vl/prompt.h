// Qwen2.5-VL prompt assembly for a video question: the chat template with each video's
// <|video_pad|> run expanded to its token count, the token ids, the TokenLayout (leading text,
// one Frame span per temporal grid step, interleaved text, question block) and the M-RoPE
// positions (get_rope_index). Template: ../shared/reference/qwen2_5_vl.md, "Tokenizer";
// ../shared/data/qwen2.5-vl-7b-instruct/chat_template.jinja.
#pragma once

#include <string>
#include <vector>

#include "methods/token_layout.h"
#include "models/qwen2_5_vl/config.h"
#include "models/qwen2_5_vl/preprocess.h"
#include "models/qwen2_5_vl/rope_index.h"
#include "models/tokenizer/tokenizer.h"

namespace pevlm::qwen2_5_vl {

// One piece of the user turn: text, or a video (its patch grid) written as
// <|vision_start|><|video_pad|> x (t*h*w/merge^2)<|vision_end|>.
struct PromptSegment {
  enum class Kind { Text, Video } kind = Kind::Text;
  std::string text;
  VideoSpec video;
};

struct BuiltPrompt {
  std::vector<int64_t> ids;
  TokenLayout layout;          // spans + M-RoPE positions (retain policy)
  int64_t rope_delta = 0;
  int64_t video_tokens = 0;
  std::string text;            // the rendered prompt with one <|video_pad|> per video (for logs)
};

// Builds `<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{segments}{question}<|im_end|>\n
// <|im_start|>assistant\n`. User text is encoded with special tokens disabled. The question
// block starts at the last video's <|vision_end|> (everything after the video), as in the
// golden method fixtures. Throws std::invalid_argument when the tokenizer lacks a special token.
BuiltPrompt build_video_prompt(const tokenizer::Tokenizer& tok, const Qwen25VLConfig& config, const std::string& system_prompt,
                               const std::vector<PromptSegment>& segments, const std::string& question,
                               const RopeIndexOptions& rope_options);

}  // namespace pevlm::qwen2_5_vl
