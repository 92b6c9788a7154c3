#include "models/tokenizer/qwen_special_tokens.h"

namespace pevlm::tokenizer {

std::vector<AddedToken> qwen2_5_vl_added_tokens(int32_t first_id) {
  // In id order, as in Qwen/Qwen2.5-VL-7B-Instruct tokenizer_config.json.
  static const struct {
    const char* content;
    bool special;
  } kTokens[] = {
      {"<|endoftext|>", true},     {"<|im_start|>", true},   {"<|im_end|>", true},       {"<|object_ref_start|>", true},
      {"<|object_ref_end|>", true}, {"<|box_start|>", true},  {"<|box_end|>", true},      {"<|quad_start|>", true},
      {"<|quad_end|>", true},       {"<|vision_start|>", true}, {"<|vision_end|>", true}, {"<|vision_pad|>", true},
      {"<|image_pad|>", true},      {"<|video_pad|>", true},  {"<tool_call>", false},     {"</tool_call>", false},
      {"<|fim_prefix|>", false},    {"<|fim_middle|>", false}, {"<|fim_suffix|>", false}, {"<|fim_pad|>", false},
      {"<|repo_name|>", false},     {"<|file_sep|>", false},
  };
  std::vector<AddedToken> out;
  int32_t id = first_id;
  for (const auto& t : kTokens) out.push_back({id++, t.content, t.special});
  return out;
}

}  // namespace pevlm::tokenizer
