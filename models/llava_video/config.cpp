// LLaVA-Video config.json (both layouts) and model options; see config.h.
#include "models/llava_video/config.h"

#include <cmath>
#include <fstream>
#include <stdexcept>

#include "models/llava_video/config_defaults.h"
#include "models/llm/config_json.h"

namespace pevlm::llava_video {

using config_json::JsonReader;

const char* pool_mode_name(PoolMode m) {
  return m == PoolMode::Average ? "average" : m == PoolMode::Bilinear ? "bilinear" : "max";
}

const char* newline_position_name(NewlinePosition p) {
  return p == NewlinePosition::Grid ? "grid" : p == NewlinePosition::OneToken ? "one_token" : "no_token";
}

nlohmann::json Options::to_json() const {
  nlohmann::json j = {{"pool_mode", pool_mode_name(pool_mode)}, {"newline", newline_position_name(newline)},
                      {"time_instruction", time_instruction}, {"frames", frames}};
  if (!fastvid_siglip.empty()) j["fastvid_siglip"] = fastvid_siglip;
  return j;
}

Options parse_options(const nlohmann::json& j) {
  Options o;
  if (j.is_null()) return o;
  if (!j.is_object()) throw std::invalid_argument("llava_video model options: expected a mapping, got " + j.dump());
  for (const auto& [key, v] : j.items()) {
    auto text = [&] { return v.is_string() ? v.get<std::string>() : v.dump(); };
    if (key == "pool_mode") {
      const std::string s = text();
      if (s == "average") o.pool_mode = PoolMode::Average;
      else if (s == "bilinear") o.pool_mode = PoolMode::Bilinear;
      else if (s == "max") o.pool_mode = PoolMode::Max;
      else throw std::invalid_argument("llava_video model option pool_mode: '" + s + "' (valid: average, bilinear, max)");
    } else if (key == "newline") {
      const std::string s = text();
      if (s == "grid") o.newline = NewlinePosition::Grid;
      else if (s == "one_token") o.newline = NewlinePosition::OneToken;
      else if (s == "no_token") o.newline = NewlinePosition::NoToken;
      else throw std::invalid_argument("llava_video model option newline: '" + s + "' (valid: grid, one_token, no_token)");
    } else if (key == "time_instruction") {
      if (!v.is_boolean()) throw std::invalid_argument("llava_video model option time_instruction: expected true/false, got " + v.dump());
      o.time_instruction = v.get<bool>();
    } else if (key == "frames") {
      if (!v.is_number_integer() || v.get<int64_t>() < 1)
        throw std::invalid_argument("llava_video model option frames: expected a positive integer, got " + v.dump());
      o.frames = v.get<int64_t>();
    } else if (key == "fastvid_siglip") {
      if (!v.is_string() || v.get<std::string>().empty())
        throw std::invalid_argument("llava_video model option fastvid_siglip: expected the path of a SigLIP release folder "
                                    "(google/siglip-so400m-patch14-384), got " + v.dump());
      o.fastvid_siglip = v.get<std::string>();
    } else {
      throw std::invalid_argument("llava_video model option '" + key +
                                  "' is unknown (valid: pool_mode, newline, time_instruction, frames, fastvid_siglip)");
    }
  }
  return o;
}

int64_t LlavaVideoConfig::pooled_side(PoolMode mode) const {
  const int64_t g = vision.grid();
  return mode == PoolMode::Bilinear ? (g + pool_stride - 1) / pool_stride : g / pool_stride;
}

namespace {

// lmms-lab layout: LlavaQwenConfig(Qwen2Config) plus the mm_* keys LLaVA-NeXT reads.
void parse_llava_qwen(const nlohmann::json& doc, const std::string& source, LlavaVideoConfig& c) {
  const JsonReader root(source, {{&doc, ""}}, &llava_qwen_defaults());
  c.layout = Layout::LmmsLab;
  c.text = llm::parse_qwen2_text_config(doc, source);
  // LlavaMetaModel builds a vision tower only when the config names one (hasattr mm_vision_tower).
  const std::string tower = root.get_string("mm_vision_tower");
  if (doc.contains("vision_config") && !doc["vision_config"].is_null()) {
    // The tiny checkpoints' extension: the tower's own SiglipVisionConfig inline.
    c.vision = siglip::parse_siglip_config(doc["vision_config"], source + " vision_config");
  } else {
    if (tower.find("siglip-so400m-patch14-384") == std::string::npos)
      root.fail("mm_vision_tower", "is '" + tower + "'; supported: google/siglip-so400m-patch14-384 (or a vision_config object)");
    c.vision = siglip::so400m_patch14_384();
  }
  // siglip_encoder.py deletes the tower's last layer and reads hidden_states[-1] (mm_vision_select_layer
  // is not consulted for SigLIP): every layer but the last.
  c.vision_layers = c.vision.num_layers - 1;
  c.projector_type = root.get_string("mm_projector_type");
  c.pool_stride = root.get_int("mm_spatial_pool_stride");
  // build_vision_projector reads config.mm_hidden_size (no default).
  if (root.get_int("mm_hidden_size") != c.vision.hidden_size)
    root.fail("mm_hidden_size", "is " + std::to_string(root.get_int("mm_hidden_size")) + " but the tower's hidden size is " +
                                    std::to_string(c.vision.hidden_size));
}

// transformers layout: LlavaOnevisionConfig with text_config (Qwen2Config) and vision_config
// (SiglipVisionConfig); an absent sub-config is the class's default one.
void parse_llava_onevision(const nlohmann::json& doc, const std::string& source, LlavaVideoConfig& c) {
  const JsonReader root(source, {{&doc, ""}}, &llava_onevision_defaults());
  c.layout = Layout::Onevision;
  static const nlohmann::json kEmpty = nlohmann::json::object();
  auto sub = [&](const char* key) -> const nlohmann::json& {
    const auto it = doc.find(key);
    if (it == doc.end() || it->is_null()) return kEmpty;
    if (!it->is_object()) root.fail(key, "must be an object");
    return *it;
  };
  const nlohmann::json& text = sub("text_config");
  if (text.contains("model_type") && text["model_type"] != "qwen2")
    root.fail("text_config", "has model_type " + text["model_type"].dump() + "; LLaVA-Video's LLM is \"qwen2\"");
  c.text = llm::parse_qwen2_text_config(text, source + " text_config");
  // LlavaOnevisionConfig.__post_init__ forwards a true text_config.tie_word_embeddings to the top level.
  c.text.tie_word_embeddings = c.text.tie_word_embeddings || root.get_bool("tie_word_embeddings");
  c.vision = siglip::parse_siglip_config(doc.contains("vision_config") && !doc["vision_config"].is_null()
                                             ? sub("vision_config")
                                             : llava_onevision_default_vision_config(),
                                         source + " vision_config");
  const std::string strategy = root.get_string("vision_feature_select_strategy");
  if (strategy != "full")
    root.fail("vision_feature_select_strategy", "is '" + strategy + "'; SigLIP has no class token, expected \"full\"");
  if (!root.get_bool("multimodal_projector_bias"))
    root.fail("multimodal_projector_bias", "is false; the mlp2x_gelu projector of LLaVA-Video has biases");
  c.vision_layers = siglip::layers_for_select(c.vision.num_layers, root.get_int("vision_feature_layer"));
  const std::string act = root.get_string("projector_hidden_act");
  if (act != "gelu") root.fail("projector_hidden_act", "is '" + act + "', expected gelu");
  c.projector_type = "mlp2x_gelu";
}

}  // namespace

LlavaVideoConfig parse_config(const nlohmann::json& doc, const std::string& source) {
  const JsonReader root(source, {{&doc, ""}});
  LlavaVideoConfig c;
  c.source = source;
  const std::string type = root.get_string("model_type");
  bool llava_qwen_class = false;  // lmms-lab's LLaVA-OneVision folders say model_type "llava" for LlavaQwenConfig
  if (doc.contains("architectures") && doc["architectures"].is_array())
    for (const auto& a : doc["architectures"]) llava_qwen_class = llava_qwen_class || a == "LlavaQwenForCausalLM";
  if (type == "llava_qwen" || (type == "llava" && llava_qwen_class)) {
    // LLaVA-NeXT's LlavaQwenForCausalLM.from_pretrained reads either with LlavaQwenConfig ("You are using a model
    // of type llava to instantiate a model of type llava_qwen").
    parse_llava_qwen(doc, source, c);
  } else if (type == "llava_onevision") {
    parse_llava_onevision(doc, source, c);
  } else {
    root.fail("model_type", "is '" + type + "', expected llava_qwen, llava_onevision, or llava with architectures "
                            "[LlavaQwenForCausalLM] (lmms-lab LLaVA-OneVision)");
  }
  if (c.projector_type != "mlp2x_gelu")
    root.fail("mm_projector_type", "is '" + c.projector_type + "'; supported projector types: mlp2x_gelu");
  if (c.pool_stride < 1) root.fail("mm_spatial_pool_stride", "must be >= 1");
  c.torch_dtype = root.has("torch_dtype") ? root.get_string("torch_dtype") : root.get_string("dtype", "bfloat16");
  return c;
}

LlavaVideoConfig load_config(const std::filesystem::path& dir) {
  const std::filesystem::path file = std::filesystem::is_directory(dir) ? dir / "config.json" : dir;
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  nlohmann::json doc;
  try {
    in >> doc;
  } catch (const std::exception& e) {
    throw std::runtime_error(file.string() + ": not valid JSON (" + e.what() + ")");
  }
  return parse_config(doc, file.string());
}

std::vector<ProjectorWeightSpec> projector_weight_table(const WeightNames& n, int64_t vision_hidden, int64_t hidden) {
  return {{n.proj1 + ".weight", {hidden, vision_hidden}}, {n.proj1 + ".bias", {hidden}}, {n.proj2 + ".weight", {hidden, hidden}},
          {n.proj2 + ".bias", {hidden}}, {n.newline, {hidden}}};
}

WeightNames weight_names(Layout layout, bool new_spelling) {
  if (layout == Layout::LmmsLab)
    return {"model.vision_tower.vision_tower.", "model.mm_projector.0", "model.mm_projector.2", "model.image_newline",
            "model.", "lm_head.weight"};
  if (new_spelling)
    return {"model.vision_tower.", "model.multi_modal_projector.linear_1", "model.multi_modal_projector.linear_2",
            "model.image_newline", "model.language_model.", "lm_head.weight"};
  return {"vision_tower.", "multi_modal_projector.linear_1", "multi_modal_projector.linear_2", "image_newline",
          "language_model.model.", "language_model.lm_head.weight"};
}

}  // namespace pevlm::llava_video
