// tokenizer_config.json for the tiny checkpoints (`pevlm make-tiny-model`), shaped like the released
// checkpoints' files so that transformers' AutoTokenizer / AutoProcessor and the original loaders read the
// tiny folders as they read real ones: the tiny tokenizer's added tokens (added_tokens_decoder), the
// special tokens, the tokenizer class and the real checkpoint's chat_template string.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "models/tokenizer/tiny_writer.h"

namespace pevlm::tokenizer {

// The chat templates themselves are the known ones (chat_template.h, known_chat_templates.cpp): one copy each.

struct TinyTokenizerConfig {
  std::string chat_template;
  std::vector<std::string> additional_special_tokens;  // e.g. {"<|im_start|>", "<|im_end|>"}
  int64_t model_max_length = 32768;
  std::string padding_side;     // written when not empty ("right" for LLaVA-Video's tokenizer)
  std::string processor_class;  // written when not empty ("Qwen2_5_VLProcessor")
};

// The Qwen2.5-VL-7B-Instruct and Qwen2-7B-Instruct (LLaVA-Video, LongVILA) settings.
TinyTokenizerConfig qwen2_5_vl_tokenizer_config();
TinyTokenizerConfig qwen2_tokenizer_config();

// Writes `path` (tokenizer_config.json) for the tiny tokenizer `info` (added_tokens_decoder with the
// tiny ids, eos <|im_end|>, pad <|endoftext|>, bos/unk null, Qwen2Tokenizer). Throws std::runtime_error
// naming the file when it cannot be written.
void write_tiny_tokenizer_config(const std::filesystem::path& path, const TinyTokenizerInfo& info,
                                 const TinyTokenizerConfig& config);
// chat_template.json ({"chat_template": ...}) as Qwen2.5-VL's processor folder has it.
void write_chat_template_json(const std::filesystem::path& path, const std::string& chat_template);

}  // namespace pevlm::tokenizer
