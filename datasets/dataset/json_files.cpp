#include "datasets/dataset/json_files.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pevlm::datasets {
namespace {

std::ifstream open_or_explain(const std::filesystem::path& path, const std::string& what, const std::string& hint) {
  if (!std::filesystem::exists(path))
    throw std::runtime_error(what + ": file not found: expected " + path.string() + (hint.empty() ? "" : " (" + hint + ")"));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(what + ": cannot read " + path.string());
  return in;
}

}  // namespace

std::vector<JsonLine> read_json_lines(const std::filesystem::path& path, const std::string& what, const std::string& hint) {
  std::ifstream in = open_or_explain(path, what, hint);
  std::vector<JsonLine> out;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    try {
      out.push_back({nlohmann::json::parse(line), number});
    } catch (const nlohmann::json::parse_error& e) {
      throw std::runtime_error(path.string() + ":" + std::to_string(number) + ": not valid JSON (" + e.what() + ")");
    }
  }
  return out;
}

nlohmann::json read_json_file(const std::filesystem::path& path, const std::string& what, const std::string& hint) {
  std::ifstream in = open_or_explain(path, what, hint);
  std::ostringstream buf;
  buf << in.rdbuf();
  try {
    return nlohmann::json::parse(buf.str());
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(path.string() + ": not valid JSON (" + e.what() + ")");
  }
}

}  // namespace pevlm::datasets
