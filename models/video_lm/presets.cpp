// LLM presets of every family; see presets.h.
#include "models/video_lm/presets.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <stdexcept>

#include "models/llm/qwen2_7b.h"
#include "models/video_lm/registry.h"

namespace pevlm {
namespace {

// Qwen2-7B (LLaVA-Video-7B-Qwen2's and LongVILA-7B-256f's LLM; llm/qwen2_7b.h) with 1-D RoPE written as
// M-RoPE with one axis.
LlmSpec qwen2_7b(const std::string& name, double rope_theta, int64_t max_positions) {
  LlmSpec c;
  c.text = llm::qwen2_7b_dims();
  llm::TextConfig& t = c.text;
  t.rope_theta = rope_theta;
  t.rope_kind = llm::RopeKind::Line;
  t.mrope_section = {64, 0, 0};
  t.rope_type = "default";
  t.max_position_embeddings = max_positions;
  c.name = name;
  c.model_type = name;
  c.source = "preset:" + name;
  return c;
}

std::string strip(std::string name, const std::vector<std::string>& suffixes) {
  for (const std::string& s : suffixes)
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) name.resize(name.size() - s.size());
  return name;
}

}  // namespace

std::vector<std::string> llm_preset_names() {
  std::vector<std::string> names;
  for (const LlmSpec& s : family_llm_presets()) names.push_back(s.name);
  names.push_back("llava-video-7b");
  names.push_back("longvila-7b");
  return names;
}

LlmSpec llm_preset(const std::string& name) {
  const std::string base = strip(name, {"-instruct", "-qwen2", "-256f"});
  if (base == "llava-video-7b") return qwen2_7b(base, 1e6, 32768);       // lmms-lab config.json
  if (base == "longvila-7b") return qwen2_7b(base, 1.53e7, 131072);      // more_models.md (check the file)
  for (const LlmSpec& s : family_llm_presets())
    if (base == s.name) return s;
  std::string valid;
  for (const auto& n : llm_preset_names()) valid += (valid.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown LLM preset '" + name + "' (valid: " + valid + ")");
}

LlmSpec model_config_from_spec(const std::string& spec, const std::string& where) {
  std::string lower = spec;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return char(std::tolower(ch)); });
  try {
    return llm_preset(lower);  // every family's released LLM dimensions
  } catch (const std::invalid_argument&) {
  }
  if (!std::filesystem::exists(spec)) {
    std::string list;
    for (const auto& n : llm_preset_names()) list += (list.empty() ? "" : ", ") + n;
    throw std::invalid_argument(where + ": '" + spec + "' is neither a preset (" + list +
                                ") nor an existing config.json / model folder");
  }
  try {
    return llm_spec_from_config(spec);
  } catch (const std::exception& e) {
    throw std::invalid_argument(where + ": " + e.what());
  }
}

}  // namespace pevlm
