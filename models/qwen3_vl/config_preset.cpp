// The released Qwen3-VL dense checkpoints' dimensions (2B / 4B / 8B Instruct), for `pevlm speed` and
// tests; see config.h. Values: ../shared/reference/more_models.md, "Qwen3-VL" (the Hub config.json files).
#include <stdexcept>

#include "models/qwen3_vl/config.h"

namespace pevlm::qwen3_vl {
namespace {

struct Dims {
  const char* name;
  int64_t hidden, layers, heads, kv_heads, intermediate;
  bool tied;
  int64_t v_depth, v_hidden, v_heads, v_intermediate;
  std::vector<int64_t> deepstack;
};

const std::vector<Dims>& released() {
  static const std::vector<Dims> d = {
      {"qwen3-vl-2b", 2048, 28, 16, 8, 6144, true, 24, 1024, 16, 4096, {5, 11, 17}},
      {"qwen3-vl-4b", 2560, 36, 32, 8, 9728, true, 24, 1024, 16, 4096, {5, 11, 17}},
      {"qwen3-vl-8b", 4096, 36, 32, 8, 12288, false, 27, 1152, 16, 4304, {8, 16, 24}},
  };
  return d;
}

}  // namespace

std::vector<std::string> preset_names() {
  std::vector<std::string> names;
  for (const Dims& d : released()) names.push_back(d.name);
  return names;
}

Qwen3VLConfig config_preset(const std::string& name) {
  std::string base = name;
  const std::string suffix = "-instruct";
  if (base.size() > suffix.size() && base.compare(base.size() - suffix.size(), suffix.size(), suffix) == 0)
    base.resize(base.size() - suffix.size());
  for (const Dims& d : released()) {
    if (base != d.name) continue;
    Qwen3VLConfig c;
    c.source = "preset:" + base;
    c.text = text_variant();
    c.text.hidden_size = d.hidden;
    c.text.num_layers = d.layers;
    c.text.num_heads = d.heads;
    c.text.num_kv_heads = d.kv_heads;
    c.text.head_dim = 128;
    c.text.intermediate_size = d.intermediate;
    c.text.vocab_size = 151936;
    c.text.rms_norm_eps = 1e-6;
    c.text.tie_word_embeddings = d.tied;
    c.text.max_position_embeddings = 262144;
    c.vision.depth = d.v_depth;
    c.vision.hidden_size = d.v_hidden;
    c.vision.num_heads = d.v_heads;
    c.vision.intermediate_size = d.v_intermediate;
    c.vision.patch_size = 16;
    c.vision.temporal_patch_size = 2;
    c.vision.spatial_merge_size = 2;
    c.vision.out_hidden_size = d.hidden;
    c.vision.num_position_embeddings = 2304;
    c.vision.deepstack_visual_indexes = d.deepstack;
    c.tokens = {151643, 151645, 151652, 151653, 151655, 151656};
    validate(c);
    return c;
  }
  std::string valid;
  for (const auto& n : preset_names()) valid += (valid.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown Qwen3-VL preset '" + name + "' (valid: " + valid + ")");
}

}  // namespace pevlm::qwen3_vl
