// tokenizer_config.json of the tiny checkpoints; see tiny_tokenizer_config.h.
#include "models/tokenizer/tiny_tokenizer_config.h"

#include "models/tokenizer/chat_template.h"
#include "models/tokenizer/tiny_writer.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>


namespace pevlm::tokenizer {

TinyTokenizerConfig qwen2_5_vl_tokenizer_config() {
  // Qwen/Qwen2.5-VL-7B-Instruct tokenizer_config.json.
  return {known_chat_template("qwen2_5_vl").text,
          {"<|im_start|>", "<|im_end|>", "<|object_ref_start|>", "<|object_ref_end|>", "<|box_start|>", "<|box_end|>",
           "<|quad_start|>", "<|quad_end|>", "<|vision_start|>", "<|vision_end|>", "<|vision_pad|>", "<|image_pad|>",
           "<|video_pad|>"},
          131072, "", "Qwen2_5_VLProcessor"};
}

TinyTokenizerConfig qwen2_tokenizer_config() {
  // Qwen/Qwen2-7B-Instruct tokenizer_config.json as lmms-lab/LLaVA-Video-7B-Qwen2 and LongVILA's llm/ ship it
  // (LLaVA-NeXT's training sets padding_side "right").
  return {known_chat_template("qwen2").text, {"<|im_start|>", "<|im_end|>"}, 32768, "right", ""};
}

void write_tiny_tokenizer_config(const std::filesystem::path& path, const TinyTokenizerInfo& info,
                                 const TinyTokenizerConfig& config) {
  using oj = nlohmann::ordered_json;
  oj decoder = oj::object();
  for (const AddedToken& t : info.added)
    decoder[std::to_string(t.id)] = {{"content", t.content}, {"lstrip", false}, {"normalized", false},
                                     {"rstrip", false}, {"single_word", false}, {"special", t.special}};
  oj j;
  j["add_bos_token"] = false;
  j["add_prefix_space"] = false;
  j["added_tokens_decoder"] = decoder;
  j["additional_special_tokens"] = config.additional_special_tokens;
  j["bos_token"] = nullptr;
  j["chat_template"] = config.chat_template;
  j["clean_up_tokenization_spaces"] = false;
  j["eos_token"] = "<|im_end|>";
  j["errors"] = "replace";
  j["model_max_length"] = config.model_max_length;
  j["pad_token"] = "<|endoftext|>";
  if (!config.padding_side.empty()) j["padding_side"] = config.padding_side;
  if (!config.processor_class.empty()) j["processor_class"] = config.processor_class;
  j["split_special_tokens"] = false;
  j["tokenizer_class"] = "Qwen2Tokenizer";
  j["unk_token"] = nullptr;
  write_tiny_json(path, j);
}

void write_chat_template_json(const std::filesystem::path& path, const std::string& chat_template) {
  write_tiny_json(path, nlohmann::ordered_json{{"chat_template", chat_template}});
}

}  // namespace pevlm::tokenizer
