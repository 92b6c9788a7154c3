#include "harness/report/results_io.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pevlm {
namespace {

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot open for reading");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void check_row(const nlohmann::json& row, const std::string& where) {
  if (!row.is_object()) throw std::runtime_error(where + ": expected a JSON object per line");
  for (const char* key : {"key", "sample_id", "method", "label"})
    if (!row.contains(key) || !row[key].is_string())
      throw std::runtime_error(where + ": missing string key '" + key + "'");
}

}  // namespace

ResultSet parse_results_jsonl(const std::string& text, const std::string& source_name) {
  ResultSet out;
  size_t pos = 0;
  int line_no = 0;
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    const bool last_unterminated = nl == std::string::npos;
    const std::string line = text.substr(pos, last_unterminated ? std::string::npos : nl - pos);
    pos = last_unterminated ? text.size() : nl + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = source_name + ":" + std::to_string(line_no);
    nlohmann::json row = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (row.is_discarded()) {
      if (last_unterminated) {
        out.warnings.push_back(where + ": skipped a torn last line (" + std::to_string(line.size()) +
                               " bytes, no newline; an interrupted append)");
        continue;
      }
      throw std::runtime_error(where + ": not valid JSON");
    }
    check_row(row, where);
    out.rows.push_back(std::move(row));
  }
  return out;
}

ResultSet load_results_jsonl(const std::filesystem::path& path) { return parse_results_jsonl(read_all(path), path.string()); }

std::vector<nlohmann::json> load_speed_json(const std::filesystem::path& path) {
  const nlohmann::json doc = nlohmann::json::parse(read_all(path), nullptr, false);
  if (doc.is_discarded()) throw std::runtime_error(path.string() + ": not valid JSON");
  if (!doc.is_array()) throw std::runtime_error(path.string() + ": expected an array of speed rows");
  std::vector<nlohmann::json> rows;
  for (size_t i = 0; i < doc.size(); ++i) {
    const auto& r = doc[i];
    if (!r.is_object() || !r.contains("label") || !r.contains("attn_ms") || !r["attn_ms"].is_number())
      throw std::runtime_error(path.string() + ": row " + std::to_string(i) + " needs 'label' and numeric 'attn_ms'");
    rows.push_back(r);
  }
  return rows;
}

bool row_failed(const nlohmann::json& row) { return row.contains("error") && !row["error"].is_null(); }

std::string row_model(const nlohmann::json& row) {
  if (row.contains("model") && row["model"].is_object() && row["model"].contains("name") && row["model"]["name"].is_string())
    return row["model"]["name"].get<std::string>();
  return "?";
}

}  // namespace pevlm
