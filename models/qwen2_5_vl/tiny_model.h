// A deterministic tiny random Qwen2.5-VL checkpoint in the real Hugging Face layout, for the demo
// and tests (no model can be downloaded). Library pevlm_qwen_tiny; CLI `pevlm make-tiny-model`.
//
// The folder holds config.json (Hub style, special ids remapped to the tiny tokenizer's),
// model.safetensors (Hub weight names `model.*`, `visual.*`, `lm_head.weight`), tokenizer.json
// (models/tokenizer tiny writer), tokenizer_config.json and chat_template.json (the released model's chat
// template and special tokens), preprocessor_config.json and generation_config.json: the released file set,
// which transformers' Qwen2_5_VLForConditionalGeneration / AutoProcessor load (tests/tiny_loaders_test.cpp).
// The shapes exercise what the real model does: GQA (4 query heads on 2 KV heads), all three
// M-RoPE sections ([4, 6, 6] of head_dim 32), the 2x2 patch merge, window attention with
// 112-pixel windows (padded whenever the merged grid is not a multiple of 4) and two
// full-attention vision blocks (1, 3) of 4.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/qwen2_5_vl/config.h"

namespace pevlm::qwen2_5_vl {

struct TinyModelOptions {
  uint64_t seed = 0;
  bool bf16 = true;  // weights stored as BF16 (as released checkpoints) or F32
  // A preset of real dimensions ("qwen2.5-vl-7b", "qwen2.5-vl-3b"; config_preset) instead of the tiny
  // ones: random weights of the real sizes (16.6 GB for 7B in bf16) for end-to-end timing and memory
  // checks on a GPU (scripts/device/check.sh), with the tiny tokenizer padded by filler tokens to the
  // real vocabulary (152,064 ids for 7B), so whatever the random weights generate decodes.
  std::string preset;
  // Tiny dimensions: "base" (the default above) or "small" (a ParallelVLM / speculative-decoding draft
  // for "base": 1 layer, hidden 64, 2 query heads on 1 KV head; the same tokenizer, vocabulary,
  // special ids and vision patching, so both build identical prompts). Ignored with a preset.
  std::string size = "base";
  // > 0: split the weights into model-0000i-of-0000n.safetensors shards of at most this many bytes
  // plus model.safetensors.index.json, as released checkpoints are (0: one model.safetensors).
  int64_t shard_bytes = 0;
};

// What was written.
struct TinyModelInfo {
  std::string dir;
  Qwen25VLConfig config;
  int64_t parameters = 0;         // total number of weights
  std::vector<std::string> files; // paths written
};

// The configuration (dimensions above; vocab and special ids from the tokenizer being written).
// `vocab_size` and the ids come from the tiny tokenizer's TinyTokenizerInfo.
// `size`: tiny_model_sizes(); an unknown one is a std::invalid_argument listing them.
Qwen25VLConfig tiny_config(int64_t vocab_size, const SpecialTokens& tokens, bool bf16, const std::string& size = "base");
const std::vector<std::string>& tiny_model_sizes();

// Writes the checkpoint folder `dir` (created if needed). Same options -> byte-identical files.
// Throws std::runtime_error naming the file that could not be written.
TinyModelInfo make_tiny_model(const std::string& dir, const TinyModelOptions& options = {});
// Everything make_tiny_model writes but the weights (config.json, tokenizer.json, processor and
// generation configs; parameters = 0): with a preset, the tokenizer is padded to the preset's vocabulary
// so every id the model can generate decodes.
TinyModelInfo write_tiny_model_metadata(const std::string& dir, const TinyModelOptions& options = {});

}  // namespace pevlm::qwen2_5_vl
