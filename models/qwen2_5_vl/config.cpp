// Loading and validation of Qwen2.5-VL config.json; mirrors transformers'
// configuration_qwen2_5_vl.py (4.50: LLM fields at the top level; >= 4.52 / 5.x also nest them
// under "text_config") and the released checkpoints' files (../shared/data/qwen2.5-vl-*).
#include "models/qwen2_5_vl/config.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "models/qwen2_5_vl/config_json.h"

namespace pevlm::qwen2_5_vl {

using nlohmann::json;
using detail::fail_key;
using detail::JsonReader;

namespace {

// The LLM's fields: top level first, then "text_config" (transformers >= 4.52 nests them there,
// 4.50 and the released files keep them at the top level).
JsonReader text_reader(const nlohmann::json& doc, const std::string& source) {
  std::vector<JsonReader::Layer> layers{{&doc, ""}};
  const auto it = doc.find("text_config");
  if (it != doc.end() && it->is_object()) layers.push_back({&*it, "text_config."});
  return JsonReader(source, std::move(layers));
}

// rope_scaling: {"type" | "rope_type": "mrope" | "default", "mrope_section": [t, h, w]}
// (3B release spells "type", 7B "rope_type"; transformers 4.50 rewrites "mrope" to "default"
// and writes both). transformers 5 calls the object "rope_parameters" and may hold rope_theta.
void read_rope(const JsonReader& r, TextConfig& t) {
  const std::string key = r.has("rope_scaling") ? "rope_scaling" : "rope_parameters";
  const auto [rope, prefix] = r.locate(key);
  if (rope == nullptr || !rope->is_object())
    r.fail("rope_scaling", "missing object {\"type\": \"mrope\", \"mrope_section\": [t, h, w]}");
  const JsonReader rr(r.source(), {{rope, prefix + key + "."}});
  std::string type;
  for (const char* k : {"type", "rope_type"}) {
    if (!rr.has(k)) continue;
    const std::string v = rr.get_string(k);
    if (v != "mrope" && v != "default")
      rr.fail(k, "is '" + v + "', expected \"mrope\" or \"default\" (Qwen2.5-VL uses M-RoPE)");
    if (type.empty()) type = v;
  }
  if (type.empty()) rr.fail("type", "missing (expected \"type\" or \"rope_type\" = \"mrope\")");
  t.rope_type = type;
  const std::vector<int64_t> section = rr.get_int_array("mrope_section");
  if (section.size() != 3) rr.fail("mrope_section", "must have 3 entries [t, h, w], got " + std::to_string(section.size()));
  std::copy(section.begin(), section.end(), t.mrope_section.begin());
  if (rr.has("rope_theta")) t.rope_theta = rr.get_double("rope_theta");
}

// mrope: read rope_scaling's mrope_section (Qwen2.5-VL); else a plain Qwen2 LLM with 1-D RoPE.
TextConfig read_text(const JsonReader& r, bool mrope) {
  TextConfig t;
  t.hidden_size = r.get_int("hidden_size");
  t.num_layers = r.get_int("num_hidden_layers");
  t.num_heads = r.get_int("num_attention_heads");
  t.num_kv_heads = r.get_int("num_key_value_heads");
  t.intermediate_size = r.get_int("intermediate_size");
  t.vocab_size = r.get_int("vocab_size");
  t.rope_theta = r.get_double("rope_theta", 10000.0);
  t.rms_norm_eps = r.get_double("rms_norm_eps");
  t.max_position_embeddings = r.get_int("max_position_embeddings");
  t.hidden_act = r.get_string("hidden_act", "silu");
  // transformers keeps tie_word_embeddings on the top-level config (PretrainedConfig default false).
  t.tie_word_embeddings = r.get_bool("tie_word_embeddings", false);
  t.head_dim = t.num_heads > 0 ? t.hidden_size / t.num_heads : 0;
  if (r.has("head_dim") && r.get_int("head_dim") != t.head_dim)
    r.fail("head_dim", "is " + std::to_string(r.get_int("head_dim")) + " but hidden_size / num_attention_heads = " +
                           std::to_string(t.head_dim) + " (Qwen2.5-VL derives head_dim from them)");
  if (mrope) {
    read_rope(r, t);
  } else {
    // 1-D RoPE as M-RoPE with every frequency on one axis: with identical position rows this is
    // exactly Qwen2's rotary (llm_rope.h). rope_scaling is ignored (LLaVA-Video forces it to None at
    // load); transformers 5.x may write rope_theta inside "rope_parameters".
    t.rope_type = "default";
    t.mrope_section = {t.head_dim / 2, 0, 0};
    const auto [rp, prefix] = r.locate("rope_parameters");
    if (!r.has("rope_theta") && rp != nullptr && rp->is_object() && rp->contains("rope_theta"))
      t.rope_theta = JsonReader(r.source(), {{rp, prefix + "rope_parameters."}}).get_double("rope_theta");
  }
  return t;
}

VisionConfig read_vision(const nlohmann::json& doc, const std::string& source) {
  const auto it = doc.find("vision_config");
  if (it == doc.end() || !it->is_object()) fail_key(source, "vision_config", "missing object");
  const JsonReader r(source, {{&*it, "vision_config."}});
  VisionConfig v;
  v.depth = r.get_int("depth");
  v.hidden_size = r.get_int("hidden_size");
  v.num_heads = r.get_int("num_heads");
  v.intermediate_size = r.get_int("intermediate_size");
  // Older releases spell these "spatial_patch_size" and "in_chans" (7B/3B config.json carry both).
  v.patch_size = r.has("patch_size") ? r.get_int("patch_size") : r.get_int("spatial_patch_size");
  v.in_channels = r.has("in_channels") ? r.get_int("in_channels") : r.get_int("in_chans", 3);
  v.temporal_patch_size = r.get_int("temporal_patch_size");
  v.spatial_merge_size = r.get_int("spatial_merge_size");
  v.window_size = r.get_int("window_size");
  v.fullatt_block_indexes = r.get_int_array("fullatt_block_indexes");
  v.out_hidden_size = r.get_int("out_hidden_size");
  v.tokens_per_second = r.get_double("tokens_per_second", 2.0);
  v.hidden_act = r.get_string("hidden_act", "silu");
  return v;
}

// Token ids live at the top level (bos/eos/pad may also sit under text_config).
SpecialTokens read_tokens(const JsonReader& r) {
  SpecialTokens s;
  s.bos = r.get_token_id("bos_token_id", -1);
  s.eos = r.get_token_id("eos_token_id", -1);
  s.pad = r.get_token_id("pad_token_id", -1);
  s.vision_start = r.get_int("vision_start_token_id");
  s.vision_end = r.get_int("vision_end_token_id");
  s.vision_pad = r.get_int("vision_token_id", -1);
  s.image_pad = r.get_int("image_token_id");
  s.video_pad = r.get_int("video_token_id");
  return s;
}

}  // namespace

Qwen25VLConfig parse_config(const std::string& json_text, const std::string& source) {
  const json doc = detail::parse_json(json_text, source);
  const JsonReader root(source, {{&doc, ""}});
  const JsonReader text = text_reader(doc, source);
  Qwen25VLConfig c;
  c.source = source;
  // A Qwen2-VL or LLaVA config would load partly and run the wrong architecture: refuse it.
  c.model_type = root.get_string("model_type", "qwen2_5_vl");
  if (c.model_type != "qwen2_5_vl")
    root.fail("model_type", "is '" + c.model_type + "', expected \"qwen2_5_vl\"");
  c.torch_dtype = text.has("torch_dtype") ? text.get_string("torch_dtype") : text.get_string("dtype", "bfloat16");
  c.text = read_text(text, /*mrope=*/true);
  c.vision = read_vision(doc, source);
  c.tokens = read_tokens(text);
  validate(c);
  return c;
}

TextConfig parse_qwen2_text_config(const nlohmann::json& object, const std::string& source) {
  if (!object.is_object()) throw std::runtime_error(source + ": expected a JSON object with the LLM's fields");
  TextConfig t = read_text(text_reader(object, source), /*mrope=*/false);
  if (t.hidden_size <= 0 || t.num_heads <= 0 || t.num_kv_heads <= 0 || t.hidden_size % t.num_heads != 0 ||
      t.num_heads % t.num_kv_heads != 0 || t.head_dim % 2 != 0 || t.vocab_size <= 0 || t.num_layers <= 0 ||
      t.intermediate_size <= 0)
    fail_key(source, "hidden_size", "/ num_attention_heads / num_key_value_heads / vocab_size: expected positive sizes with "
                                    "heads dividing hidden_size, kv heads dividing heads and an even head_dim");
  return t;
}

Qwen25VLConfig load_config(const std::string& path) {
  std::string resolved;
  const std::string text = detail::read_text_file(path, "config.json", resolved);
  return parse_config(text, resolved);
}

}  // namespace pevlm::qwen2_5_vl
