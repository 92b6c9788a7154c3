#include "harness/config_io.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pevlm {
namespace {

nlohmann::json scalar_to_json(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (node.Tag() == "!") return s;  // quoted: always a string
  if (s == "null" || s == "~" || s.empty()) return nullptr;
  if (s == "true" || s == "True") return true;
  if (s == "false" || s == "False") return false;
  try {
    size_t used = 0;
    long long v = std::stoll(s, &used);
    if (used == s.size()) return v;
  } catch (...) {
  }
  try {
    size_t used = 0;
    double v = std::stod(s, &used);
    if (used == s.size()) return v;
  } catch (...) {
  }
  return s;
}

nlohmann::json to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null: return nullptr;
    case YAML::NodeType::Scalar: return scalar_to_json(node);
    case YAML::NodeType::Sequence: {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& x : node) a.push_back(to_json(x));
      return a;
    }
    case YAML::NodeType::Map: {
      nlohmann::json o = nlohmann::json::object();
      for (const auto& kv : node) o[kv.first.as<std::string>()] = to_json(kv.second);
      return o;
    }
    default: return nullptr;
  }
}

}  // namespace

nlohmann::json yaml_text_to_json(const std::string& text, const std::string& source_name) {
  try {
    return to_json(YAML::Load(text));
  } catch (const YAML::Exception& e) {
    throw std::invalid_argument(source_name + ": invalid YAML at line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

nlohmann::json load_yaml_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("cannot open config file " + path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return yaml_text_to_json(ss.str(), path.string());
}

void check_keys(const nlohmann::json& obj, const std::vector<std::string>& valid, const std::string& where,
                const std::vector<std::string>& required) {
  std::string list;
  for (const auto& v : valid) list += (list.empty() ? "" : ", ") + v;
  if (!obj.is_object()) throw std::invalid_argument(where + ": expected a mapping with keys " + list + ", got " + obj.dump());
  for (auto it = obj.begin(); it != obj.end(); ++it)
    if (std::find(valid.begin(), valid.end(), it.key()) == valid.end())
      throw std::invalid_argument(where + ": unknown key '" + it.key() + "'; valid keys: " + list);
  for (const auto& r : required)
    if (!obj.contains(r)) throw std::invalid_argument(where + ": missing required key '" + r + "'");
}

nlohmann::json parse_overrides(const std::vector<std::string>& assignments) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& a : assignments) {
    const auto eq = a.find('=');
    if (eq == std::string::npos || eq == 0) throw std::invalid_argument("--set expects key=value, got '" + a + "'");
    out[a.substr(0, eq)] = yaml_text_to_json(a.substr(eq + 1), "--set " + a);
  }
  return out;
}

void write_text_file(const std::filesystem::path& path, const std::string& text) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  const std::filesystem::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
    out << text;
    if (!out.flush()) throw std::runtime_error("failed writing " + tmp.string());
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace pevlm
