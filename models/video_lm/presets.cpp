// LLM presets of every family; see presets.h.
#include "models/video_lm/presets.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <stdexcept>

#include "models/qwen3_vl/text.h"
#include "models/video_lm/family.h"

namespace pevlm {
namespace {

// Qwen2-7B (LLaVA-Video-7B-Qwen2's and LongVILA-7B-256f's LLM): 28 layers, hidden 3584, 28 / 4 heads of
// 128, MLP 18944, vocab 152064, untied head; 1-D RoPE written as M-RoPE with one axis.
qwen2_5_vl::Qwen25VLConfig qwen2_7b(const std::string& name, double rope_theta, int64_t max_positions) {
  qwen2_5_vl::Qwen25VLConfig c;
  qwen2_5_vl::TextConfig& t = c.text;
  t.hidden_size = 3584;
  t.num_layers = 28;
  t.num_heads = 28;
  t.num_kv_heads = 4;
  t.head_dim = 128;
  t.intermediate_size = 18944;
  t.vocab_size = 152064;
  t.rope_theta = rope_theta;
  t.rms_norm_eps = 1e-6;
  t.mrope_section = {64, 0, 0};
  t.rope_type = "default";
  t.max_position_embeddings = max_positions;
  c.model_type = name;
  c.source = "preset:" + name;
  return c;
}

std::string strip(std::string name, const std::vector<std::string>& suffixes) {
  for (const std::string& s : suffixes)
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) name.resize(name.size() - s.size());
  return name;
}

// A Qwen3-VL preset (or folder) as the shared decoder's view of it: the Qwen3 LLM variant, its token ids.
qwen2_5_vl::Qwen25VLConfig from_qwen3(const qwen3_vl::Qwen3VLConfig& q) {
  qwen2_5_vl::Qwen25VLConfig c;
  c.text = qwen3_vl::llm_text_config(q);
  c.tokens.bos = q.tokens.bos;
  c.tokens.eos = q.tokens.eos;
  c.tokens.vision_start = q.tokens.vision_start;
  c.tokens.vision_end = q.tokens.vision_end;
  c.tokens.image_pad = q.tokens.image_pad;
  c.tokens.video_pad = q.tokens.video_pad;
  c.model_type = q.model_type;
  c.torch_dtype = q.torch_dtype;
  c.source = q.source;
  return c;
}

// A folder (or its config.json) of the qwen3_vl family (family.h).
bool is_qwen3_vl_folder(const std::string& spec) {
  const std::filesystem::path p(spec);
  const std::filesystem::path dir = std::filesystem::is_directory(p) ? p : p.parent_path();
  try {
    return detect_family(dir) == "qwen3_vl";
  } catch (const std::exception&) {
    return false;  // load_config below reports what the file is
  }
}

}  // namespace

std::vector<std::string> llm_preset_names() {
  std::vector<std::string> names = qwen2_5_vl::preset_names();
  for (const std::string& n : qwen3_vl::preset_names()) names.push_back(n);
  names.push_back("llava-video-7b");
  names.push_back("longvila-7b");
  return names;
}

qwen2_5_vl::Qwen25VLConfig llm_preset(const std::string& name) {
  const std::string base = strip(name, {"-instruct", "-qwen2", "-256f"});
  if (base == "llava-video-7b") return qwen2_7b(base, 1e6, 32768);       // lmms-lab config.json
  if (base == "longvila-7b") return qwen2_7b(base, 1.53e7, 131072);      // more_models.md (check the file)
  for (const std::string& n : qwen2_5_vl::preset_names())
    if (base == n) return qwen2_5_vl::config_preset(base);
  for (const std::string& n : qwen3_vl::preset_names())
    if (base == n) return from_qwen3(qwen3_vl::config_preset(base));
  std::string valid;
  for (const auto& n : llm_preset_names()) valid += (valid.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown LLM preset '" + name + "' (valid: " + valid + ")");
}

qwen2_5_vl::Qwen25VLConfig model_config_from_spec(const std::string& spec, const std::string& where) {
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
    if (is_qwen3_vl_folder(spec)) return from_qwen3(qwen3_vl::load_config(spec));
    return qwen2_5_vl::load_config(spec);
  } catch (const std::exception& e) {
    throw std::invalid_argument(where + ": " + e.what());
  }
}

}  // namespace pevlm
