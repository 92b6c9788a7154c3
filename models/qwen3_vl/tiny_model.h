// A deterministic tiny random Qwen3-VL checkpoint in the released on-disk layout, for the demo and
// tests (`pevlm make-tiny-model DIR --family qwen3_vl`): config.json in the 4.57 spelling the released
// files use (text_config with rope_scaling {mrope_interleaved, mrope_section} + rope_theta,
// vision_config, top-level token ids and tie_word_embeddings), model.safetensors (model.visual.*,
// model.language_model.*; no lm_head: tied as on 2B / 4B), tokenizer.json (models/tokenizer tiny
// writer), tokenizer_config.json, preprocessor_config.json / video_preprocessor_config.json (patch 16,
// mean = std = 0.5) and generation_config.json.
// Dimensions are the golden fixture's (scripts/golden/make_qwen3_vl_golden.py): text hidden 64, 4 layers,
// GQA 4 / 2 heads of head_dim 32 (!= hidden / heads, as the 4B), interleaved M-RoPE [6, 5, 5]; vision
// depth 4, hidden 32, 2 heads, an 8 x 8 learned position table, DeepStack after blocks 0, 1, 3.
#pragma once

#include <string>
#include <vector>

#include "models/qwen3_vl/config.h"
#include "models/video_lm/tiny_random.h"

namespace pevlm::qwen3_vl {

// The tiny configuration for a tokenizer of `vocab` words and these special ids.
Qwen3VLConfig tiny_config(int64_t vocab, const SpecialTokens& tokens, bool bf16);

// config.json text in the released (transformers 4.57) spelling; load_config reads it back.
std::string to_json(const Qwen3VLConfig& config);

// Writes the folder (created if needed); returns the files written. Same options -> identical files.
std::vector<std::string> make_tiny_model(const std::string& dir, const TinyOptions& options = {});

}  // namespace pevlm::qwen3_vl
