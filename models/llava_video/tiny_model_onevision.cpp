// Tiny random LLaVA-Video checkpoint in transformers' llava_onevision layout; see tiny_model.h. The file set
// and values follow transformers' LLaVA-OneVision conversion (models/llava_onevision/
// convert_llava_onevision_weights_to_hf.py: the Qwen2 tokenizer plus special "<image>" / "<video>" tokens, the
// processor's chat template, num_image_tokens, vision_feature_select_strategy "full") with the tiny sizes.
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "models/llava_video/tiny_model.h"
#include "models/llm/weights.h"
#include "models/safetensors/torch_tensor.h"
#include "models/siglip/siglip.h"
#include "models/tokenizer/chat_template.h"
#include "models/tokenizer/tiny_tokenizer_config.h"
#include "models/tokenizer/tiny_writer.h"

namespace pevlm::llava_video {
namespace {

// LlavaOnevisionImageProcessor / LlavaOnevisionVideoProcessor files at the tower's size (SigLIP mean/std 0.5).
nlohmann::json processor_json(const char* type_key, const char* type, int64_t size, const nlohmann::json& pinpoints) {
  nlohmann::json j = {{type_key, type}, {"processor_class", "LlavaOnevisionProcessor"}, {"do_convert_rgb", true},
                      {"do_normalize", true}, {"do_rescale", true}, {"do_resize", true},
                      {"image_mean", {0.5, 0.5, 0.5}}, {"image_std", {0.5, 0.5, 0.5}}, {"resample", 3},
                      {"rescale_factor", 1.0 / 255.0}, {"size", {{"height", size}, {"width", size}}}};
  if (!pinpoints.is_null()) {
    j["do_pad"] = true;
    j["image_grid_pinpoints"] = pinpoints;
  }
  return j;
}

}  // namespace

std::vector<std::string> make_tiny_onevision_model(const std::string& dir, const TinyOptions& options) {
  namespace fs = std::filesystem;
  fs::create_directories(dir);
  const fs::path root(dir);
  tokenizer::TinyTokenizerOptions topt;
  topt.extra_special_tokens = {"<image>", "<video>"};
  const tokenizer::TinyTokenizerInfo tok = tokenizer::write_tiny_tokenizer_json(root / "tokenizer.json", topt);
  const llm::TextConfig t = tiny_qwen2_text(tok.vocab_size);
  const siglip::SiglipConfig v = siglip::tiny_siglip();
  const char* dtype = options.bf16 ? "bfloat16" : "float32";
  // anyres grid in multiples of the tower's size (the real one: 384 x {1..6} per side).
  nlohmann::json pinpoints = nlohmann::json::array();
  for (int64_t h = 1; h <= 6; ++h)
    for (int64_t w = 1; w <= 6; ++w) pinpoints.push_back({v.image_size * h, v.image_size * w});
  nlohmann::json vision = siglip::to_json(v);
  vision["vision_use_head"] = false;
  tokenizer::write_tiny_json(root / "config.json",
             {{"architectures", {"LlavaOnevisionForConditionalGeneration"}}, {"model_type", "llava_onevision"},
              {"text_config",
               {{"model_type", "qwen2"}, {"architectures", {"Qwen2ForCausalLM"}}, {"hidden_size", t.hidden_size},
                {"num_hidden_layers", t.num_layers}, {"num_attention_heads", t.num_heads},
                {"num_key_value_heads", t.num_kv_heads}, {"intermediate_size", t.intermediate_size},
                {"vocab_size", t.vocab_size}, {"rope_theta", 1000000.0}, {"rms_norm_eps", 1e-6},
                {"max_position_embeddings", 32768}, {"hidden_act", "silu"}, {"tie_word_embeddings", false},
                {"bos_token_id", tok.special_ids.at("<|endoftext|>")}, {"eos_token_id", tok.special_ids.at("<|im_end|>")},
                {"torch_dtype", dtype}}},
              {"vision_config", vision}, {"image_token_index", tok.special_ids.at("<image>")},
              {"video_token_index", tok.special_ids.at("<video>")}, {"vision_feature_layer", -2},
              {"vision_feature_select_strategy", "full"}, {"vision_aspect_ratio", "anyres_max_9"},
              {"image_grid_pinpoints", pinpoints}, {"projector_hidden_act", "gelu"}, {"multimodal_projector_bias", true},
              {"use_image_newline_parameter", true}, {"tie_word_embeddings", false}, {"torch_dtype", dtype}});

  TinyRng rng(options.seed);
  safetensors::SafetensorsWriter writer;
  auto add = [&](const std::string& name, const std::vector<int64_t>& shape) {
    at::Tensor x = tiny_random_tensor(rng, name, shape);
    safetensors::add_tensor(writer, name, options.bf16 ? x.to(at::kBFloat16) : x);
  };
  // The conversion's (transformers 4.x) tensor names: weight_names(Layout::Onevision).
  const WeightNames n = weight_names(Layout::Onevision);
  for (const llm::WeightSpec& s : llm::weight_table(t))
    add(s.top_level ? n.lm_head : n.llm_prefix + s.name, s.shape);
  for (const siglip::WeightSpec& s : siglip::siglip_file_table(v)) add(n.vision_prefix + "vision_model." + s.name, s.shape);
  for (const ProjectorWeightSpec& s : projector_weight_table(n, v.hidden_size, t.hidden_size)) add(s.name, s.shape);
  writer.write((root / "model.safetensors").string(), {{"format", "pt"}});

  tokenizer::TinyTokenizerConfig tc = tokenizer::qwen2_tokenizer_config();
  tc.processor_class = "LlavaOnevisionProcessor";
  tokenizer::write_tiny_tokenizer_config(root / "tokenizer_config.json", tok, tc);
  tokenizer::write_chat_template_json(root / "chat_template.json", tokenizer::known_chat_template("llava_onevision").text);
  tokenizer::write_tiny_json(root / "processor_config.json",
             {{"processor_class", "LlavaOnevisionProcessor"}, {"num_image_tokens", v.num_patches()},
              {"vision_feature_select_strategy", "full"}, {"vision_aspect_ratio", "anyres_max_9"}});
  tokenizer::write_tiny_json(root / "preprocessor_config.json",
             processor_json("image_processor_type", "LlavaOnevisionImageProcessor", v.image_size, pinpoints));
  tokenizer::write_tiny_json(root / "video_preprocessor_config.json",
             processor_json("video_processor_type", "LlavaOnevisionVideoProcessor", v.image_size, nullptr));
  tokenizer::write_tiny_json(root / "generation_config.json", {{"bos_token_id", tok.special_ids.at("<|endoftext|>")},
                                               {"eos_token_id", tok.special_ids.at("<|im_end|>")},
                                               {"pad_token_id", tok.special_ids.at("<|endoftext|>")}});
  std::vector<std::string> files;
  for (const char* f : {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "chat_template.json",
                        "processor_config.json", "preprocessor_config.json", "video_preprocessor_config.json",
                        "generation_config.json"})
    files.push_back((root / f).string());
  return files;
}

}  // namespace pevlm::llava_video
