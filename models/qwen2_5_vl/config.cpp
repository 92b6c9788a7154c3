// Loading and validation of Qwen2.5-VL config.json; mirrors transformers'
// configuration_qwen2_5_vl.py (4.50: LLM fields at the top level; >= 4.52 / 5.x also nest them
// under "text_config") and the released checkpoints' files (../shared/data/qwen2.5-vl-*).
#include "models/qwen2_5_vl/config.h"

#include <algorithm>
#include <iterator>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "models/qwen2_5_vl/config_defaults.h"
#include "models/llm/config_json.h"
#include "models/llm/text_config.h"

namespace pevlm::qwen2_5_vl {

using nlohmann::json;
using config_json::fail_key;
using config_json::JsonReader;

namespace {

// rope_scaling (4.x) or rope_parameters (5.x): {"type" | "rope_type": "mrope" | "default",
// "mrope_section": [t, h, w], "rope_theta"}; the 3B release spells "type", 7B "rope_type".
// As transformers 5.25.0 reads it (Qwen2_5_VLTextConfig.convert_rope_params_to_dict +
// standardize_rope_params; Qwen2_5_VLRotaryEmbedding): an absent object or type means "default",
// an absent mrope_section [16, 24, 24], rope_theta from the object, else the key, else 1e6.
void read_rope(const JsonReader& r, llm::TextConfig& t) {
  t.rope_theta = r.get_double("rope_theta");
  t.rope_type = "default";
  std::copy(std::begin(kDefaultMropeSection), std::end(kDefaultMropeSection), t.mrope_section.begin());
  const std::string key = r.in_file("rope_scaling") ? "rope_scaling" : "rope_parameters";
  const auto [rope, prefix] = r.locate(key);
  if (rope == nullptr) return;
  if (!rope->is_object()) r.fail(key, "must be an object {\"type\": \"mrope\", \"mrope_section\": [t, h, w]}");
  const JsonReader rr(r.source(), {{rope, prefix + key + "."}});
  std::string type;
  for (const char* k : {"type", "rope_type"}) {
    if (!rr.has(k)) continue;
    const std::string v = rr.get_string(k);
    if (v != "mrope" && v != "default")
      rr.fail(k, "is '" + v + "', expected \"mrope\" or \"default\" (Qwen2.5-VL uses M-RoPE)");
    if (type.empty()) type = v;
  }
  if (!type.empty()) t.rope_type = type;
  if (rr.has("mrope_section")) {
    const std::vector<int64_t> section = rr.get_int_array("mrope_section");
    if (section.size() != 3) rr.fail("mrope_section", "must have 3 entries [t, h, w], got " + std::to_string(section.size()));
    std::copy(section.begin(), section.end(), t.mrope_section.begin());
  }
  if (rr.has("rope_theta")) t.rope_theta = rr.get_double("rope_theta");
}

// The LLM's fields (llm::read_text_fields), then M-RoPE from rope_scaling / rope_parameters.
llm::TextConfig read_text(const JsonReader& r) {
  llm::TextConfig t = llm::read_text_fields(r);
  t.rope_kind = llm::RopeKind::MropeChunked;
  read_rope(r, t);
  return t;
}

// One Qwen2_5_VLVisionConfig key that may also be spelled `alias`: transformers 5.25.0 maps
// num_attention_heads -> num_heads and num_hidden_layers -> depth (attribute_map) and ignores the
// released files' legacy spatial_patch_size / in_chans; a legacy value that disagrees is an error
// rather than silently dropped.
int64_t vision_int(const JsonReader& r, const char* key, const char* alias, bool alias_is_mapped) {
  if (alias_is_mapped && !r.in_file(key) && r.in_file(alias)) return r.get_int(alias);
  const int64_t v = r.get_int(key);
  if (r.in_file(alias) && r.get_int(alias) != v)
    r.fail(alias, "is " + std::to_string(r.get_int(alias)) + " but " + key + " is " + std::to_string(v) +
                      (alias_is_mapped ? " (the same field)" : " (legacy spelling of the same field)"));
  return v;
}

VisionConfig read_vision(const nlohmann::json& doc, const std::string& source) {
  // Absent: Qwen2_5_VLConfig builds Qwen2_5_VLVisionConfig() (every class default).
  static const nlohmann::json kEmpty = nlohmann::json::object();
  const auto it = doc.find("vision_config");
  const bool present = it != doc.end() && !it->is_null();
  if (present && !it->is_object()) fail_key(source, "vision_config", "must be an object");
  const JsonReader r(source, {{present ? &*it : &kEmpty, "vision_config."}}, &qwen2_5_vl_vision_defaults());
  VisionConfig v;
  v.depth = vision_int(r, "depth", "num_hidden_layers", true);
  v.hidden_size = r.get_int("hidden_size");
  v.num_heads = vision_int(r, "num_heads", "num_attention_heads", true);
  v.intermediate_size = r.get_int("intermediate_size");
  v.patch_size = vision_int(r, "patch_size", "spatial_patch_size", false);
  v.in_channels = vision_int(r, "in_channels", "in_chans", false);
  v.temporal_patch_size = r.get_int("temporal_patch_size");
  v.spatial_merge_size = r.get_int("spatial_merge_size");
  v.window_size = r.get_int("window_size");
  v.fullatt_block_indexes = r.get_int_array("fullatt_block_indexes");
  v.out_hidden_size = r.get_int("out_hidden_size");
  v.tokens_per_second = r.get_double("tokens_per_second");
  v.hidden_act = r.get_string("hidden_act");
  return v;
}

// Token ids: the vision markers on Qwen2_5_VLConfig, bos/eos/pad on the text config (either may sit
// at the top level in 4.50-style files). vision_token_id is only in the released files (-1 when absent).
SpecialTokens read_tokens(const JsonReader& top, const JsonReader& text) {
  SpecialTokens s;
  s.bos = text.get_token_id("bos_token_id", -1);
  s.eos = text.get_token_id("eos_token_id", -1);
  s.pad = text.get_token_id("pad_token_id", -1);
  s.vision_start = top.get_int("vision_start_token_id");
  s.vision_end = top.get_int("vision_end_token_id");
  s.vision_pad = top.get_int("vision_token_id", -1);
  s.image_pad = top.get_int("image_token_id");
  s.video_pad = top.get_int("video_token_id");
  return s;
}

}  // namespace

Qwen25VLConfig parse_config(const std::string& json_text, const std::string& source) {
  const json doc = config_json::parse_json(json_text, source);
  const JsonReader root(source, {{&doc, ""}});
  const JsonReader text = llm::text_reader(doc, source, qwen2_5_vl_text_defaults());
  Qwen25VLConfig c;
  c.source = source;
  // A Qwen2-VL or LLaVA config would load partly and run the wrong architecture: refuse it.
  c.model_type = root.get_string("model_type", "qwen2_5_vl");
  if (c.model_type != "qwen2_5_vl")
    root.fail("model_type", "is '" + c.model_type + "', expected \"qwen2_5_vl\"");
  c.torch_dtype = text.has("torch_dtype") ? text.get_string("torch_dtype") : text.get_string("dtype", "bfloat16");
  c.text = read_text(text);
  // Qwen2_5_VLConfig's own fields (top level, or text_config in some 4.x saves).
  std::vector<JsonReader::Layer> layers{{&doc, ""}};
  if (doc.contains("text_config") && doc["text_config"].is_object()) layers.push_back({&doc["text_config"], "text_config."});
  const JsonReader top(source, layers, &qwen2_5_vl_defaults());
  c.text.tie_word_embeddings = llm::read_tie_word_embeddings(top);
  c.vision = read_vision(doc, source);
  c.tokens = read_tokens(top, text);
  validate(c);
  return c;
}

Qwen25VLConfig load_config(const std::string& path) {
  std::string resolved;
  const std::string text = config_json::read_text_file(path, "config.json", resolved);
  return parse_config(text, resolved);
}

}  // namespace pevlm::qwen2_5_vl
