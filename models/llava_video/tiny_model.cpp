// Tiny random LLaVA-Video checkpoint; see tiny_model.h.
#include "models/llava_video/tiny_model.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "models/llm/weights.h"
#include "models/safetensors/torch_tensor.h"
#include "models/siglip/pooling_head.h"
#include "models/siglip/siglip.h"
#include "models/tokenizer/chat_template.h"
#include "models/tokenizer/tiny_tokenizer_config.h"
#include "models/tokenizer/tiny_writer.h"
#include "models/video_lm/tiny_random.h"

namespace pevlm::llava_video {

std::vector<std::string> write_tiny_siglip_release(const std::string& dir, uint64_t seed) {
  namespace fs = std::filesystem;
  fs::create_directories(dir);
  const fs::path root(dir);
  const siglip::SiglipConfig v = siglip::tiny_siglip();
  nlohmann::json config = siglip::to_json(v);
  config["architectures"] = {"SiglipVisionModel"};
  config["vision_use_head"] = true;
  config["torch_dtype"] = "float32";
  tokenizer::write_tiny_json(root / "config.json", config);
  TinyRng rng(seed ^ 0x51611Bull);
  safetensors::SafetensorsWriter writer;
  auto add = [&](const std::string& name, const std::vector<int64_t>& shape) {
    safetensors::add_tensor(writer, "vision_model." + name, tiny_random_tensor(rng, name, shape));
  };
  for (const siglip::WeightSpec& s : siglip::siglip_file_table(v))
    if (s.name.rfind("post_layernorm", 0) != 0) add(s.name, s.shape);
  for (const siglip::WeightSpec& s : siglip::pooling_head_weight_table(v)) add(s.name, s.shape);
  writer.write((root / "model.safetensors").string(), {{"format", "pt"}});
  return {(root / "config.json").string(), (root / "model.safetensors").string()};
}

std::vector<std::string> make_tiny_model(const std::string& dir, const TinyOptions& options) {
  namespace fs = std::filesystem;
  fs::create_directories(dir);
  const fs::path root(dir);
  const tokenizer::TinyTokenizerInfo tok = tokenizer::write_tiny_tokenizer_json(root / "tokenizer.json");
  const llm::TextConfig t = tiny_qwen2_text(tok.vocab_size);
  const siglip::SiglipConfig v = siglip::tiny_siglip();
  // lmms-lab LLaVA-Video-7B-Qwen2 config.json keys (the Qwen2 fields plus what LLaVA-NeXT's
  // LlavaQwenForCausalLM, builder.py and llava_arch.py read, with the released values); "vision_config" holds
  // the tiny tower (the real file names google/siglip-so400m-patch14-384 in mm_vision_tower).
  nlohmann::json pinpoints = nlohmann::json::array();
  for (int h = 1; h <= 6; ++h)
    for (int w = 1; w <= 6; ++w) pinpoints.push_back({384 * h, 384 * w});
  const nlohmann::json config = {
      {"architectures", {"LlavaQwenForCausalLM"}}, {"model_type", "llava_qwen"},
      {"hidden_size", t.hidden_size}, {"num_hidden_layers", t.num_layers}, {"num_attention_heads", t.num_heads},
      {"num_key_value_heads", t.num_kv_heads}, {"intermediate_size", t.intermediate_size}, {"vocab_size", t.vocab_size},
      {"rope_theta", 1000000.0}, {"rms_norm_eps", 1e-6}, {"max_position_embeddings", 32768}, {"hidden_act", "silu"},
      {"rope_scaling", nullptr}, {"tie_word_embeddings", false}, {"attention_dropout", 0.0},
      {"initializer_range", 0.02}, {"max_window_layers", 28}, {"sliding_window", 131072}, {"use_sliding_window", false},
      {"use_cache", true}, {"bos_token_id", tok.special_ids.at("<|endoftext|>")},
      {"eos_token_id", tok.special_ids.at("<|im_end|>")},
      {"mm_vision_tower", "google/siglip-so400m-patch14-384"}, {"mm_vision_select_layer", -2},
      {"mm_vision_select_feature", "patch"}, {"mm_projector_type", "mlp2x_gelu"}, {"mm_hidden_size", v.hidden_size},
      {"mm_spatial_pool_mode", "bilinear"}, {"mm_spatial_pool_stride", 2}, {"mm_newline_position", "grid"},
      {"mm_patch_merge_type", "spatial_unpad"}, {"mm_use_im_patch_token", false}, {"mm_use_im_start_end", false},
      {"mm_resampler_type", nullptr}, {"mm_projector_lr", nullptr}, {"mm_tunable_parts", "mm_vision_tower,mm_mlp_adapter,mm_language_model"},
      {"image_aspect_ratio", "anyres_max_9"}, {"image_grid_pinpoints", pinpoints}, {"image_crop_resolution", nullptr},
      {"image_split_resolution", nullptr}, {"tokenizer_model_max_length", 32768}, {"tokenizer_padding_side", "right"},
      {"use_mm_proj", true}, {"vision_tower_pretrained", nullptr}, {"add_faster_video", false},
      {"faster_token_stride", 10}, {"force_sample", true}, {"frames_upbound", 64}, {"use_pos_skipping", false},
      {"pos_skipping_range", 4096}, {"torch_dtype", options.bf16 ? "bfloat16" : "float32"},
      {"vision_config", siglip::to_json(v)}};
  tokenizer::write_tiny_json(root / "config.json", config);

  TinyRng rng(options.seed);
  safetensors::SafetensorsWriter writer;
  auto add = [&](const std::string& name, const std::vector<int64_t>& shape) {
    at::Tensor x = tiny_random_tensor(rng, name, shape);
    safetensors::add_tensor(writer, name, options.bf16 ? x.to(at::kBFloat16) : x);
  };
  // The lmms-lab tensor names: weight_names(Layout::LmmsLab), as the loader reads them.
  const WeightNames n = weight_names(Layout::LmmsLab);
  for (const llm::WeightSpec& s : llm::weight_table(t)) add(s.top_level ? n.lm_head : n.llm_prefix + s.name, s.shape);
  for (const siglip::WeightSpec& s : siglip::siglip_file_table(v)) add(n.vision_prefix + "vision_model." + s.name, s.shape);
  for (const ProjectorWeightSpec& s : projector_weight_table(n, v.hidden_size, t.hidden_size)) add(s.name, s.shape);
  writer.write((root / "model.safetensors").string(), {{"format", "pt"}});
  tokenizer::write_tiny_tokenizer_config(root / "tokenizer_config.json", tok, tokenizer::qwen2_tokenizer_config());
  tokenizer::write_tiny_json(root / "generation_config.json", {{"bos_token_id", tok.special_ids.at("<|endoftext|>")},
                                               {"eos_token_id", tok.special_ids.at("<|im_end|>")},
                                               {"pad_token_id", tok.special_ids.at("<|endoftext|>")}});
  // The chat template where LLaVA-Video-7B-Qwen2's tokenizer keeps it (tokenizer/chat_template.h): set in
  // the tokenizer_config.json above (the other keys kept).
  tokenizer::write_chat_template(root, tokenizer::ChatTemplateLookup::Tokenizer, "qwen2");
  std::vector<std::string> files;
  for (const char* f : {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "generation_config.json"})
    files.push_back((root / f).string());
  for (const std::string& f : write_tiny_siglip_release((root / kTinySiglipRelease).string(), options.seed)) files.push_back(f);
  return files;
}

}  // namespace pevlm::llava_video
