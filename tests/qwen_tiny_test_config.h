// Shared by tests that build a Qwen2.5-VL LLM from random weights: tiny_config (2 layers, 4/2 heads of
// 32) with a `vocab`-word vocabulary and special ids 0..5.
#pragma once

#include "models/qwen2_5_vl/tiny_model.h"

namespace pevlm::testing {

inline qwen2_5_vl::Qwen25VLConfig small_tiny_config(int64_t vocab = 512) {
  qwen2_5_vl::SpecialTokens tokens;
  tokens.bos = 0, tokens.eos = 1, tokens.vision_start = 2, tokens.vision_end = 3, tokens.image_pad = 4, tokens.video_pad = 5;
  return qwen2_5_vl::tiny_config(vocab, tokens, /*bf16=*/false);
}

}  // namespace pevlm::testing
