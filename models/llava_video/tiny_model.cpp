// Tiny random LLaVA-Video checkpoint; see tiny_model.h.
#include "models/llava_video/tiny_model.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "models/qwen2_5_vl/weights_llm.h"
#include "models/safetensors/torch_tensor.h"
#include "models/siglip/siglip.h"
#include "models/tokenizer/chat_template.h"
#include "models/tokenizer/tiny_writer.h"
#include "models/video_lm/tiny_random.h"

namespace pevlm::llava_video {

std::vector<std::string> make_tiny_model(const std::string& dir, const TinyOptions& options) {
  namespace fs = std::filesystem;
  fs::create_directories(dir);
  const fs::path root(dir);
  const tokenizer::TinyTokenizerInfo tok = tokenizer::write_tiny_tokenizer_json(root / "tokenizer.json");
  const qwen2_5_vl::TextConfig t = tiny_qwen2_text(tok.vocab_size);
  const siglip::SiglipConfig v = siglip::tiny_siglip();
  // lmms-lab LLaVA-Video-7B-Qwen2 config.json keys; "vision_config" holds the tiny tower (the real
  // file names google/siglip-so400m-patch14-384 in mm_vision_tower).
  const nlohmann::json config = {
      {"architectures", {"LlavaQwenForCausalLM"}}, {"model_type", "llava_qwen"},
      {"hidden_size", t.hidden_size}, {"num_hidden_layers", t.num_layers}, {"num_attention_heads", t.num_heads},
      {"num_key_value_heads", t.num_kv_heads}, {"intermediate_size", t.intermediate_size}, {"vocab_size", t.vocab_size},
      {"rope_theta", 1000000.0}, {"rms_norm_eps", 1e-6}, {"max_position_embeddings", 32768}, {"hidden_act", "silu"},
      {"rope_scaling", nullptr}, {"tie_word_embeddings", false},
      {"bos_token_id", tok.special_ids.at("<|endoftext|>")}, {"eos_token_id", tok.special_ids.at("<|im_end|>")},
      {"mm_vision_tower", "google/siglip-so400m-patch14-384"}, {"mm_vision_select_layer", -2},
      {"mm_vision_select_feature", "patch"}, {"mm_projector_type", "mlp2x_gelu"}, {"mm_hidden_size", v.hidden_size},
      {"mm_spatial_pool_mode", "bilinear"}, {"mm_spatial_pool_stride", 2}, {"mm_newline_position", "grid"},
      {"mm_patch_merge_type", "spatial_unpad"}, {"add_faster_video", false}, {"frames_upbound", 64},
      {"torch_dtype", options.bf16 ? "bfloat16" : "float32"}, {"vision_config", siglip::to_json(v)}};
  std::ofstream(root / "config.json") << config.dump(2) << "\n";
  if (!fs::exists(root / "config.json")) throw std::runtime_error("make-tiny-model: cannot write " + (root / "config.json").string());

  TinyRng rng(options.seed);
  safetensors::SafetensorsWriter writer;
  auto add = [&](const std::string& name, const std::vector<int64_t>& shape) {
    at::Tensor x = tiny_random_tensor(rng, name, shape);
    safetensors::add_tensor(writer, name, options.bf16 ? x.to(at::kBFloat16) : x);
  };
  for (const qwen2_5_vl::LlmWeightSpec& s : qwen2_5_vl::llm_weight_table(t)) add(s.top_level ? s.name : "model." + s.name, s.shape);
  for (const siglip::WeightSpec& s : siglip::siglip_file_table(v)) add("model.vision_tower.vision_tower.vision_model." + s.name, s.shape);
  add("model.mm_projector.0.weight", {t.hidden_size, v.hidden_size});
  add("model.mm_projector.0.bias", {t.hidden_size});
  add("model.mm_projector.2.weight", {t.hidden_size, t.hidden_size});
  add("model.mm_projector.2.bias", {t.hidden_size});
  add("model.image_newline", {t.hidden_size});
  writer.write((root / "model.safetensors").string(), {{"format", "pt"}});
  // The chat template where LLaVA-Video-7B-Qwen2's tokenizer keeps it (tokenizer/chat_template.h).
  const fs::path tpl = tokenizer::write_chat_template(root, tokenizer::ChatTemplateLookup::Tokenizer, "qwen2");
  return {(root / "config.json").string(), (root / "model.safetensors").string(), (root / "tokenizer.json").string(), tpl.string()};
}

}  // namespace pevlm::llava_video
