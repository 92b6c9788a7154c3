// Tiny random LongVILA checkpoint; see tiny_model.h.
#include "models/longvila/tiny_model.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "models/llm/weights.h"
#include "models/longvila/projector.h"
#include "models/safetensors/torch_tensor.h"
#include "models/siglip/siglip.h"
#include "models/tokenizer/chat_template.h"
#include "models/tokenizer/tiny_tokenizer_config.h"
#include "models/tokenizer/tiny_writer.h"
#include "models/video_lm/tiny_random.h"

namespace pevlm::longvila {
std::vector<std::string> make_tiny_model(const std::string& dir, const TinyOptions& options) {
  namespace fs = std::filesystem;
  const fs::path root(dir);
  for (const char* sub : {"llm", "vision_tower", "mm_projector"}) fs::create_directories(root / sub);
  const tokenizer::TinyTokenizerInfo tok = tokenizer::write_tiny_tokenizer_json(root / "llm" / "tokenizer.json");
  const llm::TextConfig t = tiny_qwen2_text(tok.vocab_size);
  const siglip::SiglipConfig v = siglip::tiny_siglip();
  const char* dtype = options.bf16 ? "bfloat16" : "float32";
  // The keys VILA's LlavaConfig / LlavaMetaModel.init_vlm / get_model_config / the encoders read
  // (llava/model/configuration_llava.py, llava_arch.py, utils/utils.py, multimodal_encoder/vision_encoder.py);
  // tests/tiny_loaders_test.py checks them.
  tokenizer::write_tiny_json(root / "config.json",
             {{"architectures", {"LlavaLlamaModel"}}, {"model_type", "llava_llama"}, {"llm_cfg", {{"_name_or_path", "./llm"}}},
              {"vision_tower_cfg", {{"_name_or_path", "./vision_tower"}}},
              {"mm_projector_cfg", {{"mm_projector_type", "mlp_downsample"}}}, {"mm_vision_select_layer", -2},
              {"mm_vision_select_feature", "cls_patch"}, {"num_video_frames", 16}, {"fps", 0.0},
              {"image_aspect_ratio", "resize"}, {"hidden_size", t.hidden_size}, {"mm_hidden_size", v.hidden_size},
              {"mm_use_im_start_end", false}, {"mm_use_im_patch_token", false}, {"s2", false}, {"resume_path", nullptr},
              {"model_dtype", options.bf16 ? "torch.bfloat16" : "torch.float32"}, {"torch_dtype", dtype}});
  // Qwen2-7B-LongVILA's rope_theta (more_models.md; read from the file at load).
  tokenizer::write_tiny_json(root / "llm" / "config.json",
             {{"architectures", {"Qwen2ForCausalLM"}}, {"model_type", "qwen2"}, {"hidden_size", t.hidden_size},
              {"num_hidden_layers", t.num_layers}, {"num_attention_heads", t.num_heads}, {"num_key_value_heads", t.num_kv_heads},
              {"intermediate_size", t.intermediate_size}, {"vocab_size", t.vocab_size}, {"rope_theta", 15300000.0},
              {"rms_norm_eps", 1e-6}, {"max_position_embeddings", 131072}, {"hidden_act", "silu"},
              {"tie_word_embeddings", false}, {"torch_dtype", dtype},
              {"bos_token_id", tok.special_ids.at("<|endoftext|>")}, {"eos_token_id", tok.special_ids.at("<|im_end|>")}});
  nlohmann::json vcfg = siglip::to_json(v);
  vcfg["architectures"] = {"SiglipVisionModel"};
  tokenizer::write_tiny_json(root / "vision_tower" / "config.json", vcfg);
  // SiglipImageProcessor's file as the released vision_tower/ has it (VILA: SiglipImageProcessor.from_pretrained).
  tokenizer::write_tiny_json(root / "vision_tower" / "preprocessor_config.json",
             {{"do_normalize", true}, {"do_rescale", true}, {"do_resize", true}, {"image_mean", {0.5, 0.5, 0.5}},
              {"image_processor_type", "SiglipImageProcessor"}, {"image_std", {0.5, 0.5, 0.5}},
              {"processor_class", "SiglipProcessor"}, {"resample", 3}, {"rescale_factor", 1.0 / 255.0},
              {"size", {{"height", v.image_size}, {"width", v.image_size}}}});
  tokenizer::write_tiny_json(root / "mm_projector" / "config.json",
             {{"architectures", {"MultimodalProjector"}}, {"model_type", "v2l_projector"}, {"mm_projector_type", "mlp_downsample"},
              {"torch_dtype", dtype}});
  tokenizer::write_tiny_tokenizer_config(root / "llm" / "tokenizer_config.json", tok, tokenizer::qwen2_tokenizer_config());

  TinyRng rng(options.seed);
  std::vector<std::string> files;
  auto emit = [&](safetensors::SafetensorsWriter& w, const fs::path& file) {
    w.write(file.string(), {{"format", "pt"}});
    files.push_back(file.string());
  };
  auto add = [&](safetensors::SafetensorsWriter& w, const std::string& name, const std::vector<int64_t>& shape) {
    at::Tensor x = tiny_random_tensor(rng, name, shape);
    safetensors::add_tensor(w, name, options.bf16 ? x.to(at::kBFloat16) : x);
  };
  // llm/: two shards (layer 1 and lm_head in the second) + index, as released checkpoints are sharded.
  safetensors::SafetensorsWriter shard[2];
  nlohmann::json weight_map = nlohmann::json::object();
  const char* shard_names[2] = {"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"};
  for (const llm::WeightSpec& s : llm::weight_table(t)) {
    const std::string name = s.top_level ? s.name : "model." + s.name;
    const int k = (s.top_level || s.name.rfind("layers.1.", 0) == 0) ? 1 : 0;
    add(shard[k], name, s.shape);
    weight_map[name] = shard_names[k];
  }
  for (int k = 0; k < 2; ++k) emit(shard[k], root / "llm" / shard_names[k]);
  tokenizer::write_tiny_json(root / "llm" / "model.safetensors.index.json", {{"metadata", nlohmann::json::object()}, {"weight_map", weight_map}});
  safetensors::SafetensorsWriter tower, projector;
  for (const siglip::WeightSpec& s : siglip::siglip_file_table(v)) add(tower, "vision_model." + s.name, s.shape);
  emit(tower, root / "vision_tower" / "model.safetensors");
  // layers.1 is the LayerNorm(4C); its name lacks "norm", so its scale draws N(0, 1) (a valid LayerNorm).
  for (const ProjectorWeightSpec& s : projector_weight_table(v.hidden_size, t.hidden_size)) add(projector, s.name, s.shape);
  emit(projector, root / "mm_projector" / "model.safetensors");
  // The chat template where llm/'s tokenizer keeps it (VILA reads it there; tokenizer/chat_template.h): set in
  // llm/tokenizer_config.json (the other keys kept).
  tokenizer::write_chat_template(root / "llm", tokenizer::ChatTemplateLookup::Tokenizer, "qwen2");
  for (const char* f : {"config.json", "llm/config.json", "llm/tokenizer.json", "llm/tokenizer_config.json",
                        "llm/model.safetensors.index.json", "vision_tower/config.json", "vision_tower/preprocessor_config.json",
                        "mm_projector/config.json"})
    files.push_back((root / f).string());
  return files;
}

}  // namespace pevlm::longvila
