// Tiny random Qwen2.5-VL checkpoint writer; see tiny_model.h.
#include "models/qwen2_5_vl/tiny_model.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "attention/random_fill.h"
#include "models/llm/weights.h"
#include "models/qwen2_5_vl/weights_vision.h"
#include "models/safetensors/torch_tensor.h"
#include "models/tokenizer/chat_template.h"
#include "models/tokenizer/tiny_tokenizer_config.h"
#include "models/tokenizer/tiny_writer.h"
#include "models/video_lm/tiny_random.h"

namespace pevlm::qwen2_5_vl {
namespace {

int64_t special_id(const tokenizer::TinyTokenizerInfo& info, const std::string& token) {
  auto it = info.special_ids.find(token);
  if (it == info.special_ids.end())
    throw std::runtime_error("make-tiny-model: the tiny tokenizer has no " + token + " token");
  return it->second;
}

// Qwen2VLImageProcessor values of the released checkpoints.
nlohmann::json preprocessor_json() {
  return {{"image_processor_type", "Qwen2VLImageProcessor"},
          {"processor_class", "Qwen2_5_VLProcessor"},
          {"do_convert_rgb", true},
          {"do_normalize", true},
          {"do_rescale", true},
          {"do_resize", true},
          {"image_mean", {0.48145466, 0.4578275, 0.40821073}},
          {"image_std", {0.26862954, 0.26130258, 0.27577711}},
          {"min_pixels", 3136},
          {"max_pixels", 12845056},
          {"merge_size", 2},
          {"patch_size", 14},
          {"resample", 3},
          {"rescale_factor", 1.0 / 255.0},
          {"temporal_patch_size", 2}};
}

// Random weights of real sizes (presets): libtorch's generators in parallel chunks (the element-wise
// TinyRng would take minutes for 8B values, one libtorch generator ~100 s; attention/random_fill.h),
// tensor n from mix_seed(seed, n); the same scales as tiny_random_tensor.
at::Tensor random_tensor_fast(uint64_t seed, const std::string& name, const std::vector<int64_t>& shape) {
  const bool norm = name.find("norm") != std::string::npos || name.find("ln_q") != std::string::npos;
  const bool bias = name.size() >= 5 && name.compare(name.size() - 5, 5, ".bias") == 0;
  const bool embed = name.find("embed_tokens") != std::string::npos;
  int64_t numel = 1;
  for (int64_t d : shape) numel *= d;
  const double fan_in = shape.size() >= 2 ? double(numel / shape[0]) : 1.0;
  const double std = bias ? 0.05 : embed ? 1.0 : 1.0 / std::sqrt(fan_in);
  at::Tensor n = attention::random_normal(shape, seed, at::kCPU);
  return norm && shape.size() == 1 ? n.mul_(0.1).add_(1.0) : n.mul_(std);
}

// Weights of the whole model under Hub names, in table order; returns the parameter count.
// Shards (shard_bytes > 0) are written as they fill, so memory stays ~2 shards; returns the files.
int64_t write_weights(const Qwen25VLConfig& config, const TinyModelOptions& options, const std::filesystem::path& dir,
                      std::vector<std::string>* files) {
  TinyRng rng(options.seed);
  std::vector<std::pair<std::string, std::vector<int64_t>>> specs;
  for (const llm::WeightSpec& spec : llm::weight_table(config.text))
    specs.emplace_back(spec.top_level ? spec.name : std::string(llm::kHubLlmPrefix) + spec.name, spec.shape);
  for (const VisionTensorSpec& spec : vision_tensor_specs(config.vision)) specs.emplace_back("visual." + spec.name, spec.shape);
  const int64_t elem = options.bf16 ? 2 : 4;
  // Shard assignment first (the file names carry the shard count).
  std::vector<int> shard_of(specs.size(), 0);
  int64_t in_shard = 0;
  for (size_t i = 0; i < specs.size(); ++i) {
    int64_t bytes = elem;
    for (int64_t d : specs[i].second) bytes *= d;
    if (options.shard_bytes > 0 && in_shard > 0 && in_shard + bytes > options.shard_bytes) {
      shard_of[i] = shard_of[i - 1] + 1;
      in_shard = 0;
    } else if (i > 0) {
      shard_of[i] = shard_of[i - 1];
    }
    in_shard += bytes;
  }
  const int shards = shard_of.empty() ? 1 : shard_of.back() + 1;
  auto shard_name = [&](int s) {
    if (options.shard_bytes <= 0) return std::string("model.safetensors");
    char buf[64];
    std::snprintf(buf, sizeof(buf), "model-%05d-of-%05d.safetensors", s + 1, shards);
    return std::string(buf);
  };
  int64_t params = 0, total_bytes = 0;
  nlohmann::json weight_map = nlohmann::json::object();
  safetensors::SafetensorsWriter writer;
  for (size_t i = 0; i < specs.size(); ++i) {
    const auto& [name, shape] = specs[i];
    at::Tensor t = options.preset.empty() ? tiny_random_tensor(rng, name, shape)
                                          : random_tensor_fast(attention::mix_seed(options.seed, i), name, shape);
    params += t.numel();
    total_bytes += t.numel() * elem;
    safetensors::add_tensor(writer, name, options.bf16 ? t.to(at::kBFloat16) : t);
    weight_map[name] = shard_name(shard_of[i]);
    if (i + 1 == specs.size() || shard_of[i + 1] != shard_of[i]) {
      const std::string file = (dir / shard_name(shard_of[i])).string();
      writer.write(file, {{"format", "pt"}});
      files->push_back(file);
      writer = safetensors::SafetensorsWriter();
    }
  }
  if (options.shard_bytes > 0) {
    tokenizer::write_tiny_json(dir / "model.safetensors.index.json", {{"metadata", {{"total_size", total_bytes}}}, {"weight_map", weight_map}});
    files->push_back((dir / "model.safetensors.index.json").string());
  }
  return params;
}

}  // namespace

const std::vector<std::string>& tiny_model_sizes() {
  static const std::vector<std::string> sizes = {"base", "small"};
  return sizes;
}

Qwen25VLConfig tiny_config(int64_t vocab_size, const SpecialTokens& tokens, bool bf16, const std::string& size) {
  Qwen25VLConfig c;
  llm::TextConfig& t = c.text;
  if (size == "base") {
    t.hidden_size = 128;
    t.num_layers = 2;
    t.num_heads = 4;
    t.num_kv_heads = 2;  // GQA: 2 query heads per KV head
    t.intermediate_size = 352;
  } else if (size == "small") {  // the draft of "base": half the width, one layer, still GQA
    t.hidden_size = 64;
    t.num_layers = 1;
    t.num_heads = 2;
    t.num_kv_heads = 1;
    t.intermediate_size = 176;
  } else {
    std::string valid;
    for (const auto& n : tiny_model_sizes()) valid += (valid.empty() ? "" : ", ") + n;
    throw std::invalid_argument("make-tiny-model: unknown size '" + size + "'; valid sizes: " + valid);
  }
  t.head_dim = 32;
  t.vocab_size = vocab_size;
  t.rope_theta = 1e6;
  t.rms_norm_eps = 1e-6;
  t.mrope_section = {4, 6, 6};  // every axis gets frequencies
  t.rope_type = "mrope";
  t.tie_word_embeddings = false;
  t.max_position_embeddings = 128000;
  VisionConfig& v = c.vision;
  v.depth = 4;
  v.hidden_size = 64;
  v.num_heads = 4;
  v.intermediate_size = 128;
  v.patch_size = 14;
  v.temporal_patch_size = 2;
  v.spatial_merge_size = 2;
  v.window_size = 112;              // 4 merged tokens per window side, as released
  v.fullatt_block_indexes = {1, 3}; // blocks 0, 2 use window attention
  v.out_hidden_size = t.hidden_size;
  v.tokens_per_second = 2;
  v.in_channels = 3;
  c.tokens = tokens;
  c.torch_dtype = bf16 ? "bfloat16" : "float32";
  c.source = "make-tiny-model";
  validate(c);
  return c;
}

TinyModelInfo write_tiny_model_metadata(const std::string& dir, const TinyModelOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("make-tiny-model: cannot create " + dir + ": " + ec.message());
  TinyModelInfo info;
  info.dir = dir;
  const fs::path root(dir);

  // A preset keeps its real vocabulary (the lm_head's cost is part of what it times), so the tiny
  // tokenizer is padded with filler tokens to that size: every id a random-weight model generates
  // decodes (tiny_writer.h).
  tokenizer::TinyTokenizerOptions tok_options;
  if (!options.preset.empty()) tok_options.vocab_size = int32_t(config_preset(options.preset).text.vocab_size);
  const tokenizer::TinyTokenizerInfo tok = tokenizer::write_tiny_tokenizer_json(root / "tokenizer.json", tok_options);
  SpecialTokens ids;
  ids.bos = special_id(tok, "<|endoftext|>");
  ids.eos = special_id(tok, "<|im_end|>");
  ids.vision_start = special_id(tok, "<|vision_start|>");
  ids.vision_end = special_id(tok, "<|vision_end|>");
  ids.vision_pad = special_id(tok, "<|vision_pad|>");
  ids.image_pad = special_id(tok, "<|image_pad|>");
  ids.video_pad = special_id(tok, "<|video_pad|>");
  if (options.preset.empty()) {
    info.config = tiny_config(tok.vocab_size, ids, options.bf16, options.size);
  } else {
    info.config = config_preset(options.preset);  // real dimensions; the tiny tokenizer's special ids
    info.config.tokens = ids;
    info.config.torch_dtype = options.bf16 ? "bfloat16" : "float32";
    info.config.source = "make-tiny-model --preset " + options.preset;
    validate(info.config);
  }

  save_config(info.config, (root / "config.json").string());
  info.files.push_back((root / "config.json").string());
  tokenizer::write_tiny_json(root / "preprocessor_config.json", preprocessor_json());
  tokenizer::write_tiny_json(root / "generation_config.json", {{"bos_token_id", ids.bos},
                                               {"eos_token_id", {ids.eos, ids.bos}},
                                               {"pad_token_id", ids.bos},
                                               {"do_sample", false}});
  // The released folder's tokenizer_config.json and chat_template.json (the processor's template).
  tokenizer::write_tiny_tokenizer_config(root / "tokenizer_config.json", tok, tokenizer::qwen2_5_vl_tokenizer_config());
  tokenizer::write_chat_template(root, tokenizer::ChatTemplateLookup::Processor, "qwen2_5_vl");  // chat_template.json
  for (const char* f : {"tokenizer.json", "tokenizer_config.json", "chat_template.json", "preprocessor_config.json",
                        "generation_config.json"})
    info.files.push_back((root / f).string());
  return info;
}

TinyModelInfo make_tiny_model(const std::string& dir, const TinyModelOptions& options) {
  TinyModelInfo info = write_tiny_model_metadata(dir, options);
  info.parameters = write_weights(info.config, options, std::filesystem::path(dir), &info.files);
  return info;
}

}  // namespace pevlm::qwen2_5_vl
