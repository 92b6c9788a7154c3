// Tiny random Qwen3-VL checkpoint; see tiny_model.h.
#include "models/qwen3_vl/tiny_model.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "models/llm/weights.h"
#include "models/qwen3_vl/text.h"
#include "models/qwen3_vl/weights_vision.h"
#include "models/safetensors/torch_tensor.h"
#include "models/tokenizer/tiny_tokenizer_config.h"
#include "models/tokenizer/tiny_writer.h"

namespace pevlm::qwen3_vl {

Qwen3VLConfig tiny_config(int64_t vocab, const SpecialTokens& tokens, bool bf16) {
  Qwen3VLConfig c;
  c.source = "make-tiny-model";
  c.torch_dtype = bf16 ? "bfloat16" : "float32";
  c.tokens = tokens;
  llm::TextConfig& t = c.text;
  t = text_variant();
  t.hidden_size = 64;
  t.num_layers = 4;
  t.num_heads = 4;
  t.num_kv_heads = 2;
  t.head_dim = 32;
  t.intermediate_size = 112;
  t.vocab_size = vocab;
  t.rope_theta = 5e6;
  t.mrope_section = {6, 5, 5};
  t.tie_word_embeddings = true;
  t.max_position_embeddings = 32768;
  VisionConfig& v = c.vision;
  v.depth = 4;
  v.hidden_size = 32;
  v.num_heads = 2;
  v.intermediate_size = 48;
  v.patch_size = 16;
  v.temporal_patch_size = 2;
  v.spatial_merge_size = 2;
  v.out_hidden_size = 64;
  v.num_position_embeddings = 64;
  v.deepstack_visual_indexes = {0, 1, 3};
  validate(c);
  return c;
}

std::string to_json(const Qwen3VLConfig& c) {
  const llm::TextConfig& t = c.text;
  const VisionConfig& v = c.vision;
  nlohmann::json text = {
      {"attention_bias", t.qkv_bias}, {"attention_dropout", 0.0}, {"head_dim", t.head_dim},
      {"hidden_act", t.hidden_act}, {"hidden_size", t.hidden_size}, {"initializer_range", 0.02},
      {"intermediate_size", t.intermediate_size}, {"max_position_embeddings", t.max_position_embeddings},
      {"model_type", "qwen3_vl_text"}, {"num_attention_heads", t.num_heads}, {"num_hidden_layers", t.num_layers},
      {"num_key_value_heads", t.num_kv_heads}, {"rms_norm_eps", t.rms_norm_eps},
      {"rope_scaling", {{"mrope_interleaved", true}, {"mrope_section", t.mrope_section}, {"rope_type", "default"}}},
      {"rope_theta", t.rope_theta}, {"use_cache", true}, {"vocab_size", t.vocab_size}, {"dtype", c.torch_dtype}};
  if (c.tokens.bos >= 0) text["bos_token_id"] = c.tokens.bos;
  if (c.tokens.eos >= 0) text["eos_token_id"] = c.tokens.eos;
  nlohmann::json vision = {
      {"deepstack_visual_indexes", v.deepstack_visual_indexes}, {"depth", v.depth}, {"hidden_act", v.hidden_act},
      {"hidden_size", v.hidden_size}, {"in_channels", v.in_channels}, {"initializer_range", 0.02},
      {"intermediate_size", v.intermediate_size}, {"model_type", "qwen3_vl"}, {"num_heads", v.num_heads},
      {"num_position_embeddings", v.num_position_embeddings}, {"out_hidden_size", v.out_hidden_size},
      {"patch_size", v.patch_size}, {"spatial_merge_size", v.spatial_merge_size},
      {"temporal_patch_size", v.temporal_patch_size}};
  nlohmann::json j = {{"architectures", {"Qwen3VLForConditionalGeneration"}}, {"model_type", "qwen3_vl"},
                      {"text_config", text}, {"vision_config", vision}, {"tie_word_embeddings", t.tie_word_embeddings},
                      {"image_token_id", c.tokens.image_pad}, {"video_token_id", c.tokens.video_pad},
                      {"vision_start_token_id", c.tokens.vision_start}, {"vision_end_token_id", c.tokens.vision_end},
                      {"transformers_version", "4.57.0.dev0"}};
  return j.dump(2) + "\n";
}

std::vector<std::string> make_tiny_model(const std::string& dir, const TinyOptions& options) {
  namespace fs = std::filesystem;
  fs::create_directories(dir);
  const fs::path root(dir);
  const tokenizer::TinyTokenizerInfo tok = tokenizer::write_tiny_tokenizer_json(root / "tokenizer.json");
  SpecialTokens ids;
  ids.bos = tok.special_ids.at("<|endoftext|>");
  ids.eos = tok.special_ids.at("<|im_end|>");
  ids.vision_start = tok.special_ids.at("<|vision_start|>");
  ids.vision_end = tok.special_ids.at("<|vision_end|>");
  ids.image_pad = tok.special_ids.at("<|image_pad|>");
  ids.video_pad = tok.special_ids.at("<|video_pad|>");
  const Qwen3VLConfig c = tiny_config(tok.vocab_size, ids, options.bf16);
  {
    std::ofstream out(root / "config.json", std::ios::binary);
    out << to_json(c);
    if (!out) throw std::runtime_error("make-tiny-model: cannot write " + (root / "config.json").string());
  }
  TinyRng rng(options.seed);
  safetensors::SafetensorsWriter writer;
  auto add = [&](const std::string& name, const std::vector<int64_t>& shape) {
    at::Tensor x = tiny_random_tensor(rng, name, shape);
    safetensors::add_tensor(writer, name, options.bf16 ? x.to(at::kBFloat16) : x);
  };
  for (const llm::WeightSpec& s : llm::weight_table(c.text))
    if (!s.top_level) add(llm::kNewLlmPrefix + s.name, s.shape);  // lm_head: tied to embed_tokens
  for (const VisionTensorSpec& s : vision_tensor_specs(c.vision)) add("model.visual." + s.name, s.shape);
  writer.write((root / "model.safetensors").string(), {{"format", "pt"}});
  tokenizer::write_tiny_tokenizer_config(root / "tokenizer_config.json", tok, tokenizer::qwen2_tokenizer_config());
  // Qwen3-VL's processor files (patch 16, temporal 2, merge 2, mean = std = 0.5); the budgets are
  // Qwen3VLVideoProcessor's class defaults (128..768 tokens of 32 x 32 pixels per frame).
  const nlohmann::json common = {{"patch_size", 16}, {"temporal_patch_size", 2}, {"merge_size", 2},
                                 {"image_mean", {0.5, 0.5, 0.5}}, {"image_std", {0.5, 0.5, 0.5}},
                                 {"processor_class", "Qwen3VLProcessor"}};
  nlohmann::json image = common, video = common;
  image["image_processor_type"] = "Qwen2VLImageProcessorFast";
  image["size"] = {{"longest_edge", 16777216}, {"shortest_edge", 65536}};
  video["video_processor_type"] = "Qwen3VLVideoProcessor";
  video["size"] = {{"longest_edge", 768 * 32 * 32}, {"shortest_edge", 128 * 32 * 32}};
  video["fps"] = 2;
  video["min_frames"] = 4;
  video["max_frames"] = 768;
  tokenizer::write_tiny_json(root / "preprocessor_config.json", image);
  tokenizer::write_tiny_json(root / "video_preprocessor_config.json", video);
  tokenizer::write_tiny_json(root / "generation_config.json",
                             {{"bos_token_id", ids.bos}, {"eos_token_id", ids.eos}, {"pad_token_id", ids.bos}});
  std::vector<std::string> files;
  for (const char* f : {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                        "preprocessor_config.json", "video_preprocessor_config.json", "generation_config.json"})
    files.push_back((root / f).string());
  return files;
}

}  // namespace pevlm::qwen3_vl
