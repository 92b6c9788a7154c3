// Released Qwen2.5-VL configurations (values of the Hub config.json files, copies in
// ../shared/data/qwen2.5-vl-{7b,3b}-instruct/) and config.json writing in the Hugging Face layout.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "models/llm/qwen2_7b.h"
#include "models/qwen2_5_vl/config.h"

namespace pevlm::qwen2_5_vl {

namespace {

// Fields shared by the 7B and 3B releases (vision tower and special ids are identical).
Qwen25VLConfig released_common() {
  Qwen25VLConfig c;
  llm::TextConfig& t = c.text;
  t.head_dim = 128;
  t.rope_theta = 1e6;
  t.rms_norm_eps = 1e-6;
  t.mrope_section = {16, 24, 24};
  t.rope_type = "mrope";
  t.max_position_embeddings = 128000;
  t.hidden_act = "silu";
  VisionConfig& v = c.vision;
  v.depth = 32;
  v.hidden_size = 1280;
  v.num_heads = 16;
  v.intermediate_size = 3420;
  v.patch_size = 14;
  v.temporal_patch_size = 2;
  v.spatial_merge_size = 2;
  v.window_size = 112;
  v.fullatt_block_indexes = {7, 15, 23, 31};
  v.tokens_per_second = 2;
  v.in_channels = 3;
  v.hidden_act = "silu";
  SpecialTokens& s = c.tokens;
  s.bos = 151643;  // <|endoftext|>
  s.eos = 151645;  // <|im_end|>
  s.pad = -1;      // not in the released config.json
  s.vision_start = 151652;
  s.vision_end = 151653;
  s.vision_pad = 151654;
  s.image_pad = 151655;
  s.video_pad = 151656;
  c.model_type = "qwen2_5_vl";
  c.torch_dtype = "bfloat16";
  return c;
}

Qwen25VLConfig preset_7b() {
  Qwen25VLConfig c = released_common();
  const llm::TextConfig q7 = llm::qwen2_7b_dims();  // Qwen2-7B sizes; RoPE etc. from released_common
  c.text.hidden_size = q7.hidden_size;
  c.text.num_layers = q7.num_layers;
  c.text.num_heads = q7.num_heads;
  c.text.num_kv_heads = q7.num_kv_heads;
  c.text.intermediate_size = q7.intermediate_size;
  c.text.vocab_size = q7.vocab_size;
  c.text.tie_word_embeddings = q7.tie_word_embeddings;
  c.vision.out_hidden_size = q7.hidden_size;
  c.source = "preset:qwen2.5-vl-7b";
  return c;
}

Qwen25VLConfig preset_3b() {
  Qwen25VLConfig c = released_common();
  c.text.hidden_size = 2048;
  c.text.num_layers = 36;
  c.text.num_heads = 16;
  c.text.num_kv_heads = 2;
  c.text.intermediate_size = 11008;
  c.text.vocab_size = 151936;
  c.text.tie_word_embeddings = true;
  c.vision.out_hidden_size = 2048;
  c.source = "preset:qwen2.5-vl-3b";
  return c;
}

// JSON number for a value that is usually integral in the Hub files (tokens_per_second: 2).
nlohmann::json number(double v) {
  if (std::floor(v) == v && std::abs(v) < 1e15) return int64_t(v);
  return v;
}

}  // namespace

std::vector<std::string> preset_names() { return {"qwen2.5-vl-7b", "qwen2.5-vl-3b"}; }

Qwen25VLConfig config_preset(const std::string& name) {
  std::string base = name;
  const std::string suffix = "-instruct";
  if (base.size() > suffix.size() && base.compare(base.size() - suffix.size(), suffix.size(), suffix) == 0)
    base.resize(base.size() - suffix.size());
  if (base == "qwen2.5-vl-7b") return preset_7b();
  if (base == "qwen2.5-vl-3b") return preset_3b();
  std::string valid;
  for (const auto& n : preset_names()) valid += (valid.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown Qwen2.5-VL preset '" + name + "' (valid: " + valid + ", optionally with -instruct)");
}

// Layout of the released config.json (transformers 4.41-4.50: LLM fields at the top level),
// which every transformers version loads; rope_scaling uses the 3B spelling {"type": "mrope"}.
std::string to_json(const Qwen25VLConfig& c) {
  const llm::TextConfig& t = c.text;
  const VisionConfig& v = c.vision;
  const SpecialTokens& s = c.tokens;
  nlohmann::json j;
  j["architectures"] = {"Qwen2_5_VLForConditionalGeneration"};
  j["model_type"] = c.model_type;
  j["torch_dtype"] = c.torch_dtype;
  j["attention_dropout"] = 0.0;
  j["hidden_act"] = t.hidden_act;
  j["hidden_size"] = t.hidden_size;
  j["initializer_range"] = 0.02;
  j["intermediate_size"] = t.intermediate_size;
  j["max_position_embeddings"] = t.max_position_embeddings;
  j["max_window_layers"] = t.num_layers;
  j["num_attention_heads"] = t.num_heads;
  j["num_hidden_layers"] = t.num_layers;
  j["num_key_value_heads"] = t.num_kv_heads;
  j["rms_norm_eps"] = t.rms_norm_eps;
  j["rope_theta"] = t.rope_theta;
  j["rope_scaling"] = {{"type", "mrope"}, {"mrope_section", t.mrope_section}};
  j["sliding_window"] = t.max_position_embeddings;
  j["use_sliding_window"] = false;
  j["use_cache"] = true;
  j["tie_word_embeddings"] = t.tie_word_embeddings;
  j["vocab_size"] = t.vocab_size;
  if (s.bos >= 0) j["bos_token_id"] = s.bos;
  if (s.eos >= 0) j["eos_token_id"] = s.eos;
  if (s.pad >= 0) j["pad_token_id"] = s.pad;
  j["vision_start_token_id"] = s.vision_start;
  j["vision_end_token_id"] = s.vision_end;
  if (s.vision_pad >= 0) j["vision_token_id"] = s.vision_pad;
  j["image_token_id"] = s.image_pad;
  j["video_token_id"] = s.video_pad;
  j["vision_config"] = {{"model_type", c.model_type},
                        {"depth", v.depth},
                        {"hidden_act", v.hidden_act},
                        {"hidden_size", v.hidden_size},
                        {"intermediate_size", v.intermediate_size},
                        {"num_heads", v.num_heads},
                        {"in_channels", v.in_channels},
                        {"out_hidden_size", v.out_hidden_size},
                        {"patch_size", v.patch_size},
                        {"spatial_merge_size", v.spatial_merge_size},
                        {"temporal_patch_size", v.temporal_patch_size},
                        {"window_size", v.window_size},
                        {"fullatt_block_indexes", v.fullatt_block_indexes},
                        {"tokens_per_second", number(v.tokens_per_second)}};
  return j.dump(2) + "\n";
}

void save_config(const Qwen25VLConfig& config, const std::string& path) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) throw std::runtime_error("save_config: cannot create " + path);
  out << to_json(config);
  out.close();
  if (!out) throw std::runtime_error("save_config: write failed for " + path);
}

}  // namespace pevlm::qwen2_5_vl
