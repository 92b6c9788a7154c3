// Family constructors and tiny-checkpoint writers by name; see registry.h.
#include "models/video_lm/registry.h"

#include <algorithm>
#include <iostream>
#include <stdexcept>

#include "attention/devices.h"
#include "models/llava_video/model.h"
#include "models/llava_video/tiny_model.h"
#include "models/longvila/model.h"
#include "models/longvila/tiny_model.h"
#include "models/qwen2_5_vl/config.h"
#include "models/qwen2_5_vl/runtime.h"
#include "models/qwen2_5_vl/tiny_model.h"
#include "models/video_lm/family.h"
#include "models/video_lm/tiny_random.h"

namespace pevlm {

std::unique_ptr<VideoLM> make_video_lm(const std::filesystem::path& dir, const LoadRequest& given) {
  // Every family compares its weights' devices with this one: "cuda" becomes cuda:N (attention/devices.h).
  LoadRequest request = given;
  request.device = attention::indexed_device(given.device);
  const std::string family = detect_family(dir);
  if (family == "qwen2_5_vl") return std::make_unique<qwen2_5_vl::QwenVideoLM>(dir, request);
  if (family == "llava_video") return std::make_unique<llava_video::LlavaVideoLM>(dir, request);
  if (family == "longvila") return std::make_unique<longvila::LongVilaLM>(dir, request);
  throw std::logic_error("make_video_lm: family '" + family + "' is detected but has no constructor");
}

int run_tiny_model_writer(const std::vector<std::string>& args) {
  std::string family = "qwen2_5_vl", layout = "lmms_lab";
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--family" && i + 1 < args.size()) family = args[++i];
    else if (args[i] == "--layout" && i + 1 < args.size()) layout = args[++i];
    else rest.push_back(args[i]);
  }
  if (layout != "lmms_lab" && (family != "llava_video" || layout != "onevision")) {
    std::cerr << "make-tiny-model: --layout '" << layout << "' (valid: lmms_lab, onevision; onevision for --family llava_video)\n";
    return 2;
  }
  const auto& families = supported_families();
  if (std::find(families.begin(), families.end(), family) == families.end()) {
    std::string list;
    for (const auto& f : families) list += (list.empty() ? "" : ", ") + f;
    std::cerr << "make-tiny-model: unknown --family '" << family << "' (valid: " << list << ")\n";
    return 2;
  }
  if (family == "qwen2_5_vl") return qwen2_5_vl::run_make_tiny_model_command(rest);
  const char* usage =
      "usage: pevlm make-tiny-model DIR --family llava_video|longvila [--layout lmms_lab|onevision] [--seed N] [--dtype bf16|f32]";
  std::string dir;
  qwen2_5_vl::TinyModelOptions parsed;
  if (!qwen2_5_vl::parse_tiny_model_args(rest, usage, dir, parsed)) return 2;
  if (!parsed.preset.empty() || parsed.shard_bytes > 0 || parsed.size != "base") {
    std::cerr << "make-tiny-model: --preset / --shard-mb / --size are qwen2_5_vl options\n" << usage << "\n";
    return 2;
  }
  const TinyOptions options{parsed.seed, parsed.bf16};
  const std::vector<std::string> files =
      family == "longvila"   ? longvila::make_tiny_model(dir, options)
      : layout == "onevision" ? llava_video::make_tiny_onevision_model(dir, options)
                              : llava_video::make_tiny_model(dir, options);
  std::cout << "wrote tiny " << family << " checkpoint to " << dir << " (" << (options.bf16 ? "bf16" : "f32") << ", seed "
            << options.seed << ")\n";
  for (const std::string& f : files) std::cout << "  " << f << "\n";
  return 0;
}

std::vector<LlmSpec> family_llm_presets() {
  std::vector<LlmSpec> out;
  for (const std::string& name : qwen2_5_vl::preset_names()) {
    const qwen2_5_vl::Qwen25VLConfig c = qwen2_5_vl::config_preset(name);
    out.push_back({name, c.model_type, c.source, c.text});
  }
  return out;
}

LlmSpec llm_spec_from_config(const std::string& path) {
  const qwen2_5_vl::Qwen25VLConfig c = qwen2_5_vl::load_config(path);
  return {"", c.model_type, c.source, c.text};
}

}  // namespace pevlm
