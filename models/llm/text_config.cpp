// Reading and checking the Qwen decoder's text configuration; see text_config.h.
#include "models/llm/text_config.h"

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>
#include <vector>

#include "models/llm/config_defaults.h"
#include "models/llm/config_json.h"

namespace pevlm::llm {

using config_json::fail_key;
using config_json::JsonReader;

const char* rope_kind_name(RopeKind kind) {
  switch (kind) {
    case RopeKind::Line: return "1d";
    case RopeKind::MropeChunked: return "mrope";
    case RopeKind::MropeInterleaved: return "mrope_interleaved";
  }
  return "?";
}

void validate_rope(const TextConfig& t, const std::string& source) {
  const auto& s = t.mrope_section;
  const std::string values = "mrope_section [" + std::to_string(s[0]) + ", " + std::to_string(s[1]) + ", " +
                             std::to_string(s[2]) + "], head_dim " + std::to_string(t.head_dim);
  if (t.head_dim <= 0 || t.head_dim % 2 != 0)
    throw std::invalid_argument(source + ": rotary head_dim must be positive and even (" + values + ")");
  if (s[0] < 0 || s[1] < 0 || s[2] < 0 || 2 * (s[0] + s[1] + s[2]) != t.head_dim)
    throw std::invalid_argument(source + ": " + values + ": the sections must be non-negative with 2 * sum == head_dim");
  if (t.rope_kind == RopeKind::Line && (s[0] != t.head_dim / 2 || s[1] != 0 || s[2] != 0))
    throw std::invalid_argument(source + ": " + values + ": 1-D RoPE puts every frequency on the first axis, "
                                "expected mrope_section [head_dim / 2, 0, 0]");
}

JsonReader text_reader(const nlohmann::json& doc, const std::string& source, const config_json::ClassDefaults& defaults) {
  std::vector<JsonReader::Layer> layers{{&doc, ""}};
  const auto it = doc.find("text_config");
  if (it != doc.end() && it->is_object()) layers.push_back({&*it, "text_config."});
  return JsonReader(source, std::move(layers), &defaults);
}

bool read_tie_word_embeddings(const JsonReader& r) { return r.get_bool_any_layer("tie_word_embeddings"); }

TextConfig read_text_fields(const JsonReader& r) {
  TextConfig t;
  t.hidden_size = r.get_int("hidden_size");
  t.num_layers = r.get_int("num_hidden_layers");
  t.num_heads = r.get_int("num_attention_heads");
  // An explicit null means "as many as query heads" (__post_init__); an absent key the field default.
  t.num_kv_heads = r.null_in_file("num_key_value_heads") ? t.num_heads : r.get_int("num_key_value_heads");
  t.intermediate_size = r.get_int("intermediate_size");
  t.vocab_size = r.get_int("vocab_size");
  t.rms_norm_eps = r.get_double("rms_norm_eps");
  t.max_position_embeddings = r.get_int("max_position_embeddings");
  t.hidden_act = r.get_string("hidden_act");
  // Qwen2Attention: head_dim = getattr(config, "head_dim", hidden_size // num_attention_heads).
  t.head_dim = t.num_heads > 0 ? t.hidden_size / t.num_heads : 0;
  if (r.has("head_dim") && r.get_int("head_dim") != t.head_dim)
    r.fail("head_dim", "is " + std::to_string(r.get_int("head_dim")) + " but hidden_size / num_attention_heads = " +
                           std::to_string(t.head_dim) + " (the model code derives head_dim from them)");
  return t;
}

TextConfig parse_qwen2_text_config(const nlohmann::json& object, const std::string& source) {
  if (!object.is_object()) throw std::runtime_error(source + ": expected a JSON object with the LLM's fields");
  const JsonReader r = text_reader(object, source, qwen2_defaults());
  TextConfig t = read_text_fields(r);
  // Qwen2Config holds tie_word_embeddings.
  t.tie_word_embeddings = read_tie_word_embeddings(r);
  // 1-D RoPE as M-RoPE with every frequency on one axis: with identical position rows this is
  // exactly Qwen2's rotary (rope.h). rope_scaling is ignored (LLaVA-Video forces it to None at
  // load); transformers 5.x writes rope_theta inside "rope_parameters", which wins over the key.
  t.rope_kind = RopeKind::Line;
  t.rope_type = "default";
  t.mrope_section = {t.head_dim / 2, 0, 0};
  t.rope_theta = r.get_double("rope_theta");
  const auto [rp, prefix] = r.locate("rope_parameters");
  if (rp != nullptr && rp->is_object() && rp->contains("rope_theta") && !(*rp)["rope_theta"].is_null())
    t.rope_theta = JsonReader(r.source(), {{rp, prefix + "rope_parameters."}}).get_double("rope_theta");
  if (t.hidden_size <= 0 || t.num_heads <= 0 || t.num_kv_heads <= 0 || t.hidden_size % t.num_heads != 0 ||
      t.num_heads % t.num_kv_heads != 0 || t.head_dim % 2 != 0 || t.vocab_size <= 0 || t.num_layers <= 0 ||
      t.intermediate_size <= 0)
    fail_key(source, "hidden_size", "/ num_attention_heads / num_key_value_heads / vocab_size: expected positive sizes with "
                                    "heads dividing hidden_size, kv heads dividing heads and an even head_dim");
  return t;
}

}  // namespace pevlm::llm
