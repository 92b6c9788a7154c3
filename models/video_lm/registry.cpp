// Family constructors and tiny-checkpoint writers by name; see registry.h.
#include "models/video_lm/registry.h"

#include <algorithm>
#include <stdexcept>

#include "attention/devices.h"
#include "models/llava_video/model.h"
#include "models/llava_video/tiny_model.h"
#include "models/longvila/model.h"
#include "models/longvila/tiny_model.h"
#include "models/qwen2_5_vl/config.h"
#include "models/qwen2_5_vl/runtime.h"
#include "models/qwen2_5_vl/tiny_model.h"
#include "models/qwen3_vl/config.h"
#include "models/qwen3_vl/model.h"
#include "models/qwen3_vl/text.h"
#include "models/qwen3_vl/tiny_model.h"
#include "models/video_lm/family.h"
#include "models/video_lm/tiny_random.h"

namespace pevlm {

std::unique_ptr<VideoLM> make_video_lm(const std::filesystem::path& dir, const LoadRequest& given) {
  // Every family compares its weights' devices with this one: "cuda" becomes cuda:N (attention/devices.h).
  LoadRequest request = given;
  request.device = attention::indexed_device(given.device);
  const std::string family = detect_family(dir);
  if (family == "qwen2_5_vl") return std::make_unique<qwen2_5_vl::QwenVideoLM>(dir, request);
  if (family == "qwen3_vl") return std::make_unique<qwen3_vl::Qwen3VideoLM>(dir, request);
  if (family == "llava_video") return std::make_unique<llava_video::LlavaVideoLM>(dir, request);
  if (family == "longvila") return std::make_unique<longvila::LongVilaLM>(dir, request);
  throw std::logic_error("make_video_lm: family '" + family + "' is detected but has no constructor");
}

std::string tiny_model_families_text() {
  std::string list;
  for (const auto& f : supported_families()) list += (list.empty() ? "" : ", ") + f;
  return list;
}

TinyModelWritten write_tiny_model(const std::string& dir, const TinyModelRequest& r) {
  const auto& families = supported_families();
  if (std::find(families.begin(), families.end(), r.family) == families.end())
    throw std::invalid_argument("unknown family '" + r.family + "' (valid: " + tiny_model_families_text() + ")");
  if (r.layout != "lmms_lab" && (r.family != "llava_video" || r.layout != "onevision"))
    throw std::invalid_argument("layout '" + r.layout + "' (valid: lmms_lab, onevision; onevision for family llava_video)");
  const std::string precision = r.bf16 ? "bf16" : "f32";
  TinyModelWritten out;
  if (r.family == "qwen2_5_vl") {
    const auto& sizes = qwen2_5_vl::tiny_model_sizes();
    if (std::find(sizes.begin(), sizes.end(), r.size) == sizes.end()) {
      std::string list;
      for (const auto& n : sizes) list += (list.empty() ? "" : ", ") + n;
      throw std::invalid_argument("unknown size '" + r.size + "' (valid: " + list + ")");
    }
    if (!r.preset.empty()) (void)qwen2_5_vl::config_preset(r.preset);  // an unknown name throws, listing the presets
    if (r.shard_bytes < 0) throw std::invalid_argument("shard size must be >= 0 bytes");
    const qwen2_5_vl::TinyModelInfo info = qwen2_5_vl::make_tiny_model(
        dir, {.seed = r.seed, .bf16 = r.bf16, .preset = r.preset, .size = r.size, .shard_bytes = r.shard_bytes});
    out.summary = "tiny Qwen2.5-VL checkpoint (" + std::to_string(info.parameters) + " parameters, " + precision +
                  ", seed " + std::to_string(r.seed) + (r.preset.empty() ? ", size " + r.size : ", preset " + r.preset) + ")";
    out.files = info.files;
    return out;
  }
  if (!r.preset.empty() || r.shard_bytes > 0 || r.size != "base")
    throw std::invalid_argument("preset, shard size and size are qwen2_5_vl options (family '" + r.family + "' takes seed and dtype)");
  const TinyOptions options{r.seed, r.bf16};
  out.files = r.family == "qwen3_vl"     ? qwen3_vl::make_tiny_model(dir, options)
              : r.family == "longvila"    ? longvila::make_tiny_model(dir, options)
              : r.layout == "onevision"   ? llava_video::make_tiny_onevision_model(dir, options)
                                          : llava_video::make_tiny_model(dir, options);
  out.summary = "tiny " + r.family + " checkpoint (" + precision + ", seed " + std::to_string(r.seed) + ")";
  return out;
}

std::vector<LlmSpec> family_llm_presets() {
  std::vector<LlmSpec> out;
  for (const std::string& name : qwen2_5_vl::preset_names()) {
    const qwen2_5_vl::Qwen25VLConfig c = qwen2_5_vl::config_preset(name);
    out.push_back({name, c.model_type, c.source, c.text});
  }
  for (const std::string& name : qwen3_vl::preset_names()) {  // the text part as the shared decoder's Qwen3 variant
    const qwen3_vl::Qwen3VLConfig c = qwen3_vl::config_preset(name);
    out.push_back({name, c.model_type, c.source, c.text});
  }
  return out;
}

LlmSpec llm_spec_from_config(const std::string& path) {
  const std::filesystem::path p(path);
  bool qwen3 = false;
  try {
    qwen3 = detect_family(std::filesystem::is_directory(p) ? p : p.parent_path()) == "qwen3_vl";
  } catch (const std::exception&) {
    // not a family folder: Qwen2.5-VL's reader below reports what the file is
  }
  if (qwen3) {
    const qwen3_vl::Qwen3VLConfig c = qwen3_vl::load_config(path);
    return {"", c.model_type, c.source, c.text};
  }
  const qwen2_5_vl::Qwen25VLConfig c = qwen2_5_vl::load_config(path);
  return {"", c.model_type, c.source, c.text};
}

}  // namespace pevlm
