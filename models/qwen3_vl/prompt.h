// Qwen3-VL video prompt: the chat turn with the video written as one text timestamp + vision
// start + video pads + vision end per temporal patch, the token ids, the TokenLayout (one Frame span
// per temporal patch, holding its timestamp text and its vision start/end) and the M-RoPE positions
// (library pevlm_qwen3_vl_prompt).
//
// Mirrors transformers 5.25 processing_qwen3_vl.py: Qwen3VLProcessor._calculate_timestamps (frame
// index / fps, the index list padded with its last entry to a multiple of temporal_patch_size, the
// mean of each patch's first and last frame time) and replace_video_token (f"<{t:.1f} seconds>" +
// <|vision_start|> + <|video_pad|> x tokens + <|vision_end|> per patch; the chat template's outer
// vision start/end around the video is collapsed). Chat turn: Qwen's ChatML; the system turn is
// written only when a system prompt is given (Qwen3-VL's template adds no default one; unverified
// against the released chat_template.json, which cannot be downloaded here).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "methods/token_layout.h"
#include "models/qwen3_vl/rope_index.h"
#include "models/tokenizer/tokenizer.h"

namespace pevlm::qwen3_vl {

// Seconds of each temporal patch from the sampled frame indices (of the decoded video) and its fps.
// Throws std::invalid_argument for no frames, fps <= 0 or temporal_patch_size < 1.
std::vector<double> patch_timestamps(const std::vector<int64_t>& frame_indices, double video_fps,
                                     int64_t temporal_patch_size);

// "<{seconds:.1f} seconds>" with Python's rounding (correctly rounded, halves to even on the binary value).
std::string timestamp_text(double seconds);

// The token ids the prompt needs (config.json's and the tokenizer's).
struct PromptTokens {
  int64_t vision_start = -1, vision_end = -1, video_pad = -1;
};

struct TimedVideo {
  MergedGrid grid;                  // merged tokens per patch (rows x cols) and the patch count
  std::vector<double> timestamps;   // one per temporal patch (patch_timestamps)
};

struct BuiltPrompt {
  std::vector<int64_t> ids;
  TokenLayout layout;        // leading text, one Frame per temporal patch, question; full-attention positions
  int64_t rope_delta = 0;
  int64_t video_tokens = 0;  // <|video_pad|> tokens
  std::string text;          // the rendered prompt with one <|video_pad|> per patch (for logs)
};

// `[<|im_start|>system\n{system}<|im_end|>\n]<|im_start|>user\n{before}{video}{question}<|im_end|>\n
// <|im_start|>assistant\n`; user text is encoded with special tokens disabled. Spans: the leading text
// (through `before`), one Frame per temporal patch, the question block. Throws std::invalid_argument
// when token ids are missing or timestamps and patches disagree.
BuiltPrompt build_video_prompt(const tokenizer::Tokenizer& tok, const PromptTokens& tokens, const std::string& system_prompt,
                               const std::string& before, const TimedVideo& video, const std::string& question);

}  // namespace pevlm::qwen3_vl
