// Family detection from config.json; see family.h.
#include "models/video_lm/family.h"

#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace pevlm {

const std::vector<std::string>& supported_families() {
  static const std::vector<std::string> names = {"qwen2_5_vl", "qwen3_vl", "llava_video", "longvila"};
  return names;
}

std::string detect_family(const std::filesystem::path& dir) {
  const std::filesystem::path file = dir / "config.json";
  std::ifstream in(file);
  if (!in) throw std::runtime_error("model folder " + dir.string() + ": cannot read " + file.string());
  nlohmann::json j;
  try {
    in >> j;
  } catch (const std::exception& e) {
    throw std::runtime_error(file.string() + ": not valid JSON (" + e.what() + ")");
  }
  const std::string type = j.value("model_type", std::string());
  std::vector<std::string> archs;
  if (j.contains("architectures") && j["architectures"].is_array())
    for (const auto& a : j["architectures"])
      if (a.is_string()) archs.push_back(a.get<std::string>());
  auto has_arch = [&](const std::string& name) {
    for (const auto& a : archs)
      if (a == name) return true;
    return false;
  };
  if (type == "qwen2_5_vl" || has_arch("Qwen2_5_VLForConditionalGeneration")) return "qwen2_5_vl";
  if (type == "qwen3_vl" || has_arch("Qwen3VLForConditionalGeneration")) return "qwen3_vl";  // dense only
  if (type == "llava_qwen" || type == "llava_onevision" || has_arch("LlavaQwenForCausalLM") ||
      has_arch("LlavaOnevisionForConditionalGeneration"))
    return "llava_video";
  // VILA's split folder: the top-level config names the LLaVA wrapper, the LLM sits in llm/.
  if ((type == "llava_llama" || has_arch("LlavaLlamaModel")) && std::filesystem::is_directory(dir / "llm"))
    return "longvila";
  std::string list, arch_list;
  for (const auto& f : supported_families()) list += (list.empty() ? "" : ", ") + f;
  for (const auto& a : archs) arch_list += (arch_list.empty() ? "" : ", ") + a;
  throw std::runtime_error(file.string() + ": unsupported model (model_type '" + type + "', architectures [" + arch_list +
                           "]" + (type == "llava_llama" ? ", but no llm/ sub-folder" : "") +
                           "); supported families: " + list +
                           " (model_type qwen2_5_vl, qwen3_vl, llava_qwen, llava_onevision, or llava_llama with llm/)");
}

}  // namespace pevlm
