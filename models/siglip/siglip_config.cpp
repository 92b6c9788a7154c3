// SigLIP vision config parsing, preset and layer selection; see siglip.h.
#include <stdexcept>

#include "models/llm/config_json.h"
#include "models/siglip/siglip.h"

namespace pevlm::siglip {

using config_json::JsonReader;

const config_json::ClassDefaults& siglip_vision_defaults() {
  // transformers 5.25.0 models/siglip/configuration_siglip.py SiglipVisionConfig
  // (google/siglip-base-patch16-224 sizes, not so400m's).
  static const config_json::ClassDefaults d{
      "siglip_vision_model", "transformers 5.25.0 SiglipVisionConfig, models/siglip/configuration_siglip.py",
      {{"hidden_size", 768},
       {"intermediate_size", 3072},
       {"num_hidden_layers", 12},
       {"num_attention_heads", 12},
       {"num_channels", 3},
       {"image_size", 224},
       {"patch_size", 16},
       {"hidden_act", "gelu_pytorch_tanh"},
       {"layer_norm_eps", 1e-6}}};
  return d;
}

SiglipConfig parse_siglip_config(const nlohmann::json& j, const std::string& source) {
  if (!j.is_object()) throw std::runtime_error(source + ": vision config must be a JSON object");
  const JsonReader r(source, {{&j, ""}}, &siglip_vision_defaults());
  const std::string type = r.get_string("model_type", "siglip_vision_model");
  if (type != "siglip_vision_model")
    r.fail("model_type", "is '" + type + "', expected \"siglip_vision_model\" (SiglipVisionConfig)");
  SiglipConfig c;
  c.hidden_size = r.get_int("hidden_size");
  c.intermediate_size = r.get_int("intermediate_size");
  c.num_layers = r.get_int("num_hidden_layers");
  c.num_heads = r.get_int("num_attention_heads");
  c.num_channels = r.get_int("num_channels");
  c.image_size = r.get_int("image_size");
  c.patch_size = r.get_int("patch_size");
  c.layer_norm_eps = r.get_double("layer_norm_eps");
  c.hidden_act = r.get_string("hidden_act");
  if (c.hidden_size <= 0 || c.num_heads <= 0 || c.hidden_size % c.num_heads != 0)
    r.fail("num_attention_heads", "must divide hidden_size " + std::to_string(c.hidden_size));
  // SiglipVisionEmbeddings: a stride-patch_size convolution, (image_size // patch_size)^2 patches (so400m:
  // 384 px / 14 = 27 per side, the last 6 pixels unused), so image_size need not be a multiple.
  if (c.patch_size <= 0 || c.image_size < c.patch_size)
    r.fail("image_size", "is " + std::to_string(c.image_size) + ", expected at least patch_size " + std::to_string(c.patch_size));
  if (c.hidden_act != "gelu_pytorch_tanh" && c.hidden_act != "gelu")
    r.fail("hidden_act", "is '" + c.hidden_act + "', expected gelu_pytorch_tanh or gelu");
  return c;
}

nlohmann::json to_json(const SiglipConfig& c) {
  return {{"model_type", "siglip_vision_model"}, {"hidden_size", c.hidden_size},
          {"intermediate_size", c.intermediate_size}, {"num_hidden_layers", c.num_layers},
          {"num_attention_heads", c.num_heads},   {"num_channels", c.num_channels},
          {"image_size", c.image_size},           {"patch_size", c.patch_size},
          {"layer_norm_eps", c.layer_norm_eps},   {"hidden_act", c.hidden_act}};
}

SiglipConfig so400m_patch14_384() {
  // google/siglip-so400m-patch14-384 config.json (vision_config).
  SiglipConfig c;
  c.hidden_size = 1152;
  c.intermediate_size = 4304;
  c.num_layers = 27;
  c.num_heads = 16;
  c.image_size = 384;
  c.patch_size = 14;
  return c;
}

SiglipConfig tiny_siglip() {
  SiglipConfig c;
  c.hidden_size = 32;
  c.intermediate_size = 48;
  c.num_layers = 3;
  c.num_heads = 4;
  c.image_size = 56;
  c.patch_size = 8;
  return c;
}

int64_t layers_for_select(int64_t num_layers, int64_t select_layer) {
  const int64_t layers = select_layer < 0 ? num_layers + 1 + select_layer : select_layer;
  if (layers < 1 || layers > num_layers)
    throw std::invalid_argument("vision feature layer " + std::to_string(select_layer) + " is outside the tower's " +
                                std::to_string(num_layers) + " layers (hidden_states has " +
                                std::to_string(num_layers + 1) + " entries)");
  return layers;
}

std::vector<WeightSpec> siglip_weight_table(const SiglipConfig& c, int64_t layers) {
  const int64_t h = c.hidden_size, f = c.intermediate_size;
  std::vector<WeightSpec> t{{"embeddings.patch_embedding.weight", {h, c.num_channels, c.patch_size, c.patch_size}},
                            {"embeddings.patch_embedding.bias", {h}},
                            {"embeddings.position_embedding.weight", {c.num_patches(), h}}};
  for (int64_t n = 0; n < layers; ++n) {
    const std::string p = "encoder.layers." + std::to_string(n) + ".";
    for (const char* ln : {"layer_norm1", "layer_norm2"}) {
      t.push_back({p + ln + ".weight", {h}});
      t.push_back({p + ln + ".bias", {h}});
    }
    for (const char* proj : {"q_proj", "k_proj", "v_proj", "out_proj"}) {
      t.push_back({p + "self_attn." + proj + ".weight", {h, h}});
      t.push_back({p + "self_attn." + proj + ".bias", {h}});
    }
    t.push_back({p + "mlp.fc1.weight", {f, h}});
    t.push_back({p + "mlp.fc1.bias", {f}});
    t.push_back({p + "mlp.fc2.weight", {h, f}});
    t.push_back({p + "mlp.fc2.bias", {h}});
  }
  return t;
}

std::vector<WeightSpec> siglip_file_table(const SiglipConfig& c) {
  std::vector<WeightSpec> t = siglip_weight_table(c, c.num_layers);
  t.push_back({"post_layernorm.weight", {c.hidden_size}});
  t.push_back({"post_layernorm.bias", {c.hidden_size}});
  return t;
}

}  // namespace pevlm::siglip
