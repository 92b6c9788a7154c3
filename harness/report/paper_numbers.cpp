#include "harness/report/paper_numbers.h"

#include <algorithm>
#include <cctype>

namespace pevlm {
namespace {

enum Family { Qwen7B, LongVila, LlavaVideo, Other };

// From the model folder's name, case-insensitively (the released folders: Qwen2.5-VL-7B-Instruct,
// LLaVA-Video-7B-Qwen2, qwen2-7b-longvila-256f / LongVILA-7B-256f).
Family family(const std::string& model) {
  std::string m = model;
  std::transform(m.begin(), m.end(), m.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  if (m.find("qwen2.5-vl-7b") != std::string::npos) return Qwen7B;
  if (m.find("longvila") != std::string::npos) return LongVila;
  if (m.find("llava-video-7b") != std::string::npos) return LlavaVideo;
  return Other;
}

bool is(const nlohmann::json& p, const char* key, const nlohmann::json& value) { return p.contains(key) && p[key] == value; }
std::string positions(const nlohmann::json& p) { return p.contains("positions") && p["positions"].is_string() ? p["positions"].get<std::string>() : ""; }

// Which paper column a configuration is: "full", "block", "ape", "ape_retain", "star", "star_retain",
// "pevlm16", "pevlm2", or "".
std::string column(const std::string& method, const nlohmann::json& p) {
  if (method == "full") return "full";
  if (method == "block_attention" && is(p, "block_tokens", 4096)) return "block";
  if (method == "ape" && is(p, "prefix_tokens", 256) && is(p, "block_tokens", 4096)) return positions(p) == "retain" ? "ape_retain" : "ape";
  if (method == "star" && is(p, "block_tokens", 4096)) return positions(p) == "retain" ? "star_retain" : "star";
  if (method == "pevlm" && is(p, "block_frames", 16) && positions(p) == "retain") {
    if (is(p, "sink_frames", 16)) return "pevlm16";
    if (is(p, "sink_frames", 2)) return "pevlm2";
  }
  return "";
}

}  // namespace

nlohmann::json paper_table1_accuracy(const std::string& model, const std::string& method, const nlohmann::json& params) {
  // Columns: Full, Block (no ft), APE, APE retain, Star, Star retain, PEVLM sys+16f/16f.
  static const std::vector<std::string> cols = {"full", "block", "ape", "ape_retain", "star", "star_retain", "pevlm16"};
  static const std::vector<nlohmann::json> qwen = {60.43, 54.23, "NaN", 60.21, "NaN", 61.41, 62.23};
  static const std::vector<nlohmann::json> longvila = {52.21, 51.76, 51.68, 53.18, 46.75, 53.63, 53.70};
  static const std::vector<nlohmann::json> llava = {59.99, 55.50, 58.41, 58.49, 58.71, 58.49, 59.01};
  const Family f = family(model);
  if (f == Other) return nullptr;
  const std::string c = column(method, params);
  for (size_t i = 0; i < cols.size(); ++i)
    if (cols[i] == c) return (f == Qwen7B ? qwen : f == LongVila ? longvila : llava)[i];
  return nullptr;
}

std::string paper_table2_text(const std::string& model, const std::string& method, const nlohmann::json& params) {
  if (family(model) != Qwen7B) return "";
  const std::string c = column(method, params);
  if (c == "full") return "60.43/59.69/27.08/23.26";
  if (c == "block") return "54.00/54.00/53.78/53.55";
  if (c == "ape" || c == "ape_retain") return "59.91/59.91/59.91/59.61";
  if (c == "star_retain") return "61.41/61.41/61.41/28.20";
  if (c == "pevlm2") return "61.18/61.18/61.18/61.03";
  if (c == "pevlm16") return "62.23/62.23/62.23/60.28";
  return "";
}

}  // namespace pevlm
