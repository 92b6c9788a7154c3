// preprocessor_config.json of Qwen2VLImageProcessor; precedence as in its __init__
// (transformers 4.50 image_processing_qwen2_vl.py): class defaults (56*56, 28*28*1280), then
// size {shortest_edge, longest_edge}, then min_pixels / max_pixels override
// ("backward compatibility; override size with min_pixels and max_pixels if they are provided").
#include <stdexcept>

#include "models/qwen2_5_vl/config.h"
#include "models/llm/config_json.h"

namespace pevlm::qwen2_5_vl {

using config_json::fail_key;
using config_json::JsonReader;

namespace {

std::array<double, 3> read_rgb(const JsonReader& r, const char* key, const std::array<double, 3>& fallback) {
  if (!r.has(key)) return fallback;
  const std::vector<double> v = r.get_double_array(key);
  if (v.size() != 3) r.fail(key, "must have 3 entries (R, G, B), got " + std::to_string(v.size()));
  return {v[0], v[1], v[2]};
}

void read_pixels(const nlohmann::json& doc, const JsonReader& r, PreprocessorConfig& p) {
  const auto size = doc.find("size");
  if (size != doc.end() && !size->is_null()) {
    if (!size->is_object()) r.fail("size", "must be an object {shortest_edge, longest_edge}");
    const JsonReader sr(r.source(), {{&*size, "size."}});
    // Qwen2VLImageProcessor requires both keys when size is given.
    p.min_pixels = sr.get_int("shortest_edge");
    p.max_pixels = sr.get_int("longest_edge");
  }
  p.min_pixels = r.get_int("min_pixels", p.min_pixels);
  p.max_pixels = r.get_int("max_pixels", p.max_pixels);
}

void validate(const PreprocessorConfig& p) {
  const std::string& src = p.source;
  if (p.min_pixels <= 0) fail_key(src, "min_pixels", "must be positive, got " + std::to_string(p.min_pixels));
  if (p.max_pixels < p.min_pixels)
    fail_key(src, "max_pixels", std::to_string(p.max_pixels) + " is below min_pixels " + std::to_string(p.min_pixels));
  if (p.patch_size <= 0) fail_key(src, "patch_size", "must be positive");
  if (p.temporal_patch_size <= 0) fail_key(src, "temporal_patch_size", "must be positive");
  if (p.merge_size <= 0) fail_key(src, "merge_size", "must be positive");
  if (!(p.rescale_factor > 0)) fail_key(src, "rescale_factor", "must be positive");
  for (double s : p.image_std)
    if (!(s > 0)) fail_key(src, "image_std", "entries must be positive (they divide)");
}

}  // namespace

PreprocessorConfig parse_preprocessor_config(const std::string& json_text, const std::string& source) {
  const nlohmann::json doc = config_json::parse_json(json_text, source);
  const JsonReader r(source, {{&doc, ""}});
  PreprocessorConfig p;
  p.source = source;
  read_pixels(doc, r, p);
  p.patch_size = r.get_int("patch_size", p.patch_size);
  p.temporal_patch_size = r.get_int("temporal_patch_size", p.temporal_patch_size);
  p.merge_size = r.get_int("merge_size", p.merge_size);
  p.image_mean = read_rgb(r, "image_mean", p.image_mean);
  p.image_std = read_rgb(r, "image_std", p.image_std);
  p.rescale_factor = r.get_double("rescale_factor", p.rescale_factor);
  validate(p);
  return p;
}

PreprocessorConfig load_preprocessor_config(const std::string& path) {
  std::string resolved;
  const std::string text = config_json::read_text_file(path, "preprocessor_config.json", resolved);
  return parse_preprocessor_config(text, resolved);
}

}  // namespace pevlm::qwen2_5_vl
