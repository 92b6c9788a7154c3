// Qwen3-VL config.json reading and validation; see config.h.
#include "models/qwen3_vl/config.h"

#include <cmath>
#include <fstream>
#include <filesystem>
#include <set>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace pevlm::qwen3_vl {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& source, const std::string& key, const std::string& what) {
  throw std::runtime_error(source + ": key '" + key + "' " + what);
}

// transformers 5.25.0 class defaults (configuration_qwen3_vl.py): what a key left out of the file takes.
const json& text_defaults() {  // Qwen3VLTextConfig
  static const json d = {{"vocab_size", 151936}, {"hidden_size", 4096}, {"intermediate_size", 22016},
                         {"num_hidden_layers", 32}, {"num_attention_heads", 32}, {"head_dim", 128},
                         {"hidden_act", "silu"}, {"max_position_embeddings", 128000}, {"rms_norm_eps", 1e-6},
                         {"attention_bias", false}, {"rope_theta", 500000.0}};  // default_theta
  return d;
}
const json& vision_defaults() {  // Qwen3VLVisionConfig
  static const json d = {{"depth", 27}, {"hidden_size", 1152}, {"hidden_act", "gelu_pytorch_tanh"},
                         {"intermediate_size", 4304}, {"num_heads", 16}, {"in_channels", 3}, {"patch_size", 16},
                         {"spatial_merge_size", 2}, {"temporal_patch_size", 2}, {"out_hidden_size", 3584},
                         {"num_position_embeddings", 2304}, {"deepstack_visual_indexes", {8, 16, 24}}};
  return d;
}
const json& top_defaults() {  // Qwen3VLConfig
  static const json d = {{"image_token_id", 151655}, {"video_token_id", 151656}, {"vision_start_token_id", 151652},
                         {"vision_end_token_id", 151653}, {"tie_word_embeddings", false}};
  return d;
}

// One nested object with its class defaults; keys print as "<prefix><key>".
struct Reader {
  const json& object;
  const json& defaults;
  std::string prefix;
  std::string source;

  const json* find(const std::string& key) const {
    auto it = object.find(key);
    if (it != object.end() && !it->is_null()) return &*it;
    if (it != object.end()) return nullptr;  // explicit null: None in Python, no default
    auto d = defaults.find(key);
    return d != defaults.end() ? &*d : nullptr;
  }
  const json& need(const std::string& key) const {
    const json* v = find(key);
    if (!v) fail(source, prefix + key, "is missing (no class default applies)");
    return *v;
  }
  int64_t integer(const std::string& key) const {
    const json& v = need(key);
    if (!v.is_number_integer()) fail(source, prefix + key, "must be an integer, got " + v.dump());
    return v.get<int64_t>();
  }
  double number(const std::string& key) const {
    const json& v = need(key);
    if (!v.is_number()) fail(source, prefix + key, "must be a number, got " + v.dump());
    return v.get<double>();
  }
  bool boolean(const std::string& key) const {
    const json& v = need(key);
    if (!v.is_boolean()) fail(source, prefix + key, "must be true or false, got " + v.dump());
    return v.get<bool>();
  }
  std::string string(const std::string& key) const {
    const json& v = need(key);
    if (!v.is_string()) fail(source, prefix + key, "must be a string, got " + v.dump());
    return v.get<std::string>();
  }
  std::vector<int64_t> integers(const std::string& key) const {
    const json& v = need(key);
    if (!v.is_array()) fail(source, prefix + key, "must be a list of integers, got " + v.dump());
    std::vector<int64_t> out;
    for (const json& e : v) {
      if (!e.is_number_integer()) fail(source, prefix + key, "must be a list of integers, got " + v.dump());
      out.push_back(e.get<int64_t>());
    }
    return out;
  }
  int64_t token_id(const std::string& key, int64_t fallback) const {
    const json* v = find(key);
    if (!v) return fallback;
    if (v->is_array() && !v->empty() && (*v)[0].is_number_integer()) return (*v)[0].get<int64_t>();
    if (!v->is_number_integer()) fail(source, prefix + key, "must be a token id (integer or list), got " + v->dump());
    return v->get<int64_t>();
  }
};

const json& object_at(const json& root, const char* key, const std::string& source) {
  auto it = root.find(key);
  if (it == root.end() || !it->is_object()) fail(source, key, "must be an object (the Qwen3-VL config nests it)");
  return *it;
}

// RoPE: 4.57 (rope_theta + rope_scaling) or 5.x (rope_parameters); both may not disagree.
void read_rope(const json& text, const std::string& source, llm::TextConfig& t) {
  const json* params = nullptr;
  std::string where;
  for (const char* key : {"rope_parameters", "rope_scaling"}) {
    auto it = text.find(key);
    if (it != text.end() && !it->is_null()) {
      if (!it->is_object()) fail(source, std::string("text_config.") + key, "must be an object, got " + it->dump());
      if (params) fail(source, std::string("text_config.") + key, "given together with text_config." + where + "; keep one");
      params = &*it;
      where = key;
    }
  }
  const json empty = json::object();
  Reader r{params ? *params : empty, empty, "text_config." + where + ".", source};
  Reader top{text, text_defaults(), "text_config.", source};
  t.rope_theta = r.find("rope_theta") ? r.number("rope_theta") : top.number("rope_theta");
  if (r.find("mrope_section")) {  // absent: modeling_qwen3_vl.py's .get("mrope_section", [24, 20, 20])
    std::vector<int64_t> s = r.integers("mrope_section");
    if (s.size() != 3) fail(source, r.prefix + "mrope_section", "must have 3 entries (t, h, w), got " + std::to_string(s.size()));
    t.mrope_section = {s[0], s[1], s[2]};
  }
  if (r.find("mrope_interleaved") && !r.boolean("mrope_interleaved"))
    fail(source, r.prefix + "mrope_interleaved", "is false: Qwen3-VL's rotary is always interleaved");
  const json* type = r.find("rope_type") ? r.find("rope_type") : r.find("type");
  if (type && (!type->is_string() || type->get<std::string>() != "default"))
    fail(source, r.prefix + "rope_type", "must be \"default\" (no RoPE scaling is supported), got " + type->dump());
}

}  // namespace

llm::TextConfig text_variant() {
  llm::TextConfig t;
  t.rope_theta = 5e6;
  t.mrope_section = {24, 20, 20};  // modeling_qwen3_vl.py's .get("mrope_section", [24, 20, 20])
  t.rope_type = "default";
  t.rope_kind = llm::RopeKind::MropeInterleaved;
  t.qkv_bias = false;
  t.qk_norm = true;
  return t;
}

int64_t VisionConfig::position_grid_side() const {
  const auto side = int64_t(std::llround(std::sqrt(double(num_position_embeddings))));
  return side * side == num_position_embeddings ? side : 0;
}

Qwen3VLConfig parse_config(const std::string& json_text, const std::string& source) {
  json root;
  try {
    root = json::parse(json_text);
  } catch (const json::parse_error& e) {
    throw std::runtime_error(source + ": not valid JSON: " + e.what());
  }
  if (!root.is_object()) throw std::runtime_error(source + ": must hold a JSON object");
  Qwen3VLConfig c;
  c.source = source;
  Reader top{root, top_defaults(), "", source};
  c.model_type = top.string("model_type");
  if (c.model_type != "qwen3_vl")
    fail(source, "model_type", "is \"" + c.model_type + "\"; this reader takes \"qwen3_vl\" (dense Qwen3-VL)");
  if (top.find("torch_dtype")) c.torch_dtype = top.string("torch_dtype");
  else if (top.find("dtype")) c.torch_dtype = top.string("dtype");

  const json& text = object_at(root, "text_config", source);
  Reader t{text, text_defaults(), "text_config.", source};
  llm::TextConfig& x = c.text;
  x = text_variant();
  x.hidden_size = t.integer("hidden_size");
  x.num_layers = t.integer("num_hidden_layers");
  x.num_heads = t.integer("num_attention_heads");
  // Qwen3VLTextConfig: num_key_value_heads None -> num_attention_heads.
  x.num_kv_heads = t.find("num_key_value_heads") ? t.integer("num_key_value_heads") : x.num_heads;
  x.head_dim = t.integer("head_dim");
  x.intermediate_size = t.integer("intermediate_size");
  x.vocab_size = t.integer("vocab_size");
  x.rms_norm_eps = t.number("rms_norm_eps");
  x.max_position_embeddings = t.integer("max_position_embeddings");
  x.hidden_act = t.string("hidden_act");
  x.qkv_bias = t.boolean("attention_bias");
  read_rope(text, source, x);
  // 5.x keeps tie_word_embeddings on the top level; a 4.x save may write it in text_config too.
  x.tie_word_embeddings = top.boolean("tie_word_embeddings") ||
                          (t.object.contains("tie_word_embeddings") && t.boolean("tie_word_embeddings"));
  c.tokens.bos = t.token_id("bos_token_id", -1);
  c.tokens.eos = t.token_id("eos_token_id", -1);

  const json& vision = object_at(root, "vision_config", source);
  Reader v{vision, vision_defaults(), "vision_config.", source};
  VisionConfig& y = c.vision;
  y.depth = v.integer("depth");
  y.hidden_size = v.integer("hidden_size");
  y.num_heads = v.integer("num_heads");
  y.intermediate_size = v.integer("intermediate_size");
  y.patch_size = v.integer("patch_size");
  y.temporal_patch_size = v.integer("temporal_patch_size");
  y.spatial_merge_size = v.integer("spatial_merge_size");
  y.out_hidden_size = v.integer("out_hidden_size");
  y.num_position_embeddings = v.integer("num_position_embeddings");
  y.in_channels = v.integer("in_channels");
  y.deepstack_visual_indexes = v.integers("deepstack_visual_indexes");
  y.hidden_act = v.string("hidden_act");

  c.tokens.vision_start = top.token_id("vision_start_token_id", -1);
  c.tokens.vision_end = top.token_id("vision_end_token_id", -1);
  c.tokens.image_pad = top.token_id("image_token_id", -1);
  c.tokens.video_pad = top.token_id("video_token_id", -1);
  validate(c);
  return c;
}

Qwen3VLConfig load_config(const std::string& path) {
  std::filesystem::path p(path);
  if (std::filesystem::is_directory(p)) p /= "config.json";
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error(p.string() + ": cannot read the Qwen3-VL config.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), p.string());
}

void validate(const Qwen3VLConfig& c) {
  const std::string& s = c.source;
  auto positive = [&](int64_t value, const char* key) {
    if (value <= 0) fail(s, key, "must be positive, got " + std::to_string(value));
  };
  const llm::TextConfig& t = c.text;
  positive(t.hidden_size, "text_config.hidden_size");
  positive(t.num_layers, "text_config.num_hidden_layers");
  positive(t.num_heads, "text_config.num_attention_heads");
  positive(t.num_kv_heads, "text_config.num_key_value_heads");
  positive(t.head_dim, "text_config.head_dim");
  positive(t.intermediate_size, "text_config.intermediate_size");
  positive(t.vocab_size, "text_config.vocab_size");
  if (t.num_heads % t.num_kv_heads != 0)
    fail(s, "text_config.num_key_value_heads", "must divide num_attention_heads " + std::to_string(t.num_heads) +
                                                  ", got " + std::to_string(t.num_kv_heads));
  const auto& m = t.mrope_section;
  if (m[0] < 0 || m[1] < 0 || m[2] < 0 || 2 * (m[0] + m[1] + m[2]) != t.head_dim)
    fail(s, "text_config.rope_scaling.mrope_section",
         "must be non-negative with 2 * sum == head_dim " + std::to_string(t.head_dim) + ", got [" +
             std::to_string(m[0]) + ", " + std::to_string(m[1]) + ", " + std::to_string(m[2]) + "]");
  if (t.hidden_act != "silu") fail(s, "text_config.hidden_act", "must be \"silu\", got \"" + t.hidden_act + "\"");
  if (t.qkv_bias)
    fail(s, "text_config.attention_bias", "is true; the released Qwen3-VL models have no attention biases");
  if (t.rope_kind != llm::RopeKind::MropeInterleaved || !t.qk_norm)
    fail(s, "text_config", "must describe the Qwen3 decoder (interleaved M-RoPE, q/k RMSNorm): start from text_variant()");

  const VisionConfig& v = c.vision;
  positive(v.depth, "vision_config.depth");
  positive(v.hidden_size, "vision_config.hidden_size");
  positive(v.num_heads, "vision_config.num_heads");
  positive(v.intermediate_size, "vision_config.intermediate_size");
  positive(v.patch_size, "vision_config.patch_size");
  positive(v.temporal_patch_size, "vision_config.temporal_patch_size");
  positive(v.spatial_merge_size, "vision_config.spatial_merge_size");
  positive(v.in_channels, "vision_config.in_channels");
  if (v.hidden_size % v.num_heads != 0 || v.head_dim() % 4 != 0)
    fail(s, "vision_config.num_heads", "must divide hidden_size " + std::to_string(v.hidden_size) +
                                          " into heads whose size is a multiple of 4 (2-D rotary), got " +
                                          std::to_string(v.num_heads));
  if (v.position_grid_side() == 0)
    fail(s, "vision_config.num_position_embeddings",
         "must be a square (the learned table is side x side), got " + std::to_string(v.num_position_embeddings));
  if (v.out_hidden_size != t.hidden_size)
    fail(s, "vision_config.out_hidden_size", "must equal text_config.hidden_size " + std::to_string(t.hidden_size) +
                                                ", got " + std::to_string(v.out_hidden_size));
  if (v.hidden_act != "gelu_pytorch_tanh")
    fail(s, "vision_config.hidden_act", "must be \"gelu_pytorch_tanh\", got \"" + v.hidden_act + "\"");
  std::set<int64_t> seen;
  for (int64_t i : v.deepstack_visual_indexes)
    if (i < 0 || i >= v.depth || !seen.insert(i).second)
      fail(s, "vision_config.deepstack_visual_indexes",
           "must hold distinct block indexes in [0, depth " + std::to_string(v.depth) + "), got " + std::to_string(i));
  if (int64_t(v.deepstack_visual_indexes.size()) > t.num_layers)
    fail(s, "vision_config.deepstack_visual_indexes", "has more entries than the decoder has layers");
  for (auto [value, key] : {std::pair{c.tokens.vision_start, "vision_start_token_id"},
                            std::pair{c.tokens.vision_end, "vision_end_token_id"},
                            std::pair{c.tokens.video_pad, "video_token_id"}})
    if (value < 0 || value >= t.vocab_size)
      fail(s, key, "must be an id in [0, vocab_size " + std::to_string(t.vocab_size) + "), got " + std::to_string(value));
}

}  // namespace pevlm::qwen3_vl
