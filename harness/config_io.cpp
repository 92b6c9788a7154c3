#include "harness/config_io.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pevlm {
namespace {

// Offset of the first byte that is not part of well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), or npos. yaml-cpp passes such bytes through, and the JSON
// value would then throw from dump() (resolved config, result rows) naming no file.
size_t invalid_utf8_at(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the first continuation byte
    if (c < 0x80) n = 0;
    else if (c >= 0xC2 && c <= 0xDF) n = 1;
    else if (c >= 0xE0 && c <= 0xEF) n = 2, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    else if (c >= 0xF0 && c <= 0xF4) n = 3, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    else return i;
    if (n > 0 && i + n >= s.size()) return i;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return i;
    }
    i += n + 1;
  }
  return std::string::npos;
}

// Throws a YAML exception (reported by yaml_text_to_json with the file and line) for invalid UTF-8.
const std::string& checked_utf8(const std::string& s, const YAML::Node& node, const char* what) {
  if (const size_t at = invalid_utf8_at(s); at != std::string::npos) {
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(s[at]));
    throw YAML::ParserException(node.Mark(), std::string(what) + " is not valid UTF-8 (byte " + byte + " at offset " +
                                                 std::to_string(at) + "); config files must be UTF-8");
  }
  return s;
}

nlohmann::json scalar_to_json(const YAML::Node& node) {
  const std::string& s = checked_utf8(node.Scalar(), node, "value");
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
      for (const auto& kv : node) o[checked_utf8(kv.first.as<std::string>(), kv.first, "key")] = to_json(kv.second);
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

int64_t integer_value(const nlohmann::json& obj, const std::string& key, int64_t fallback, const std::string& where) {
  if (!obj.contains(key)) return fallback;
  const nlohmann::json& v = obj[key];
  const bool ok = v.is_number_unsigned() ? v.get<uint64_t>() <= uint64_t(INT64_MAX)
                                         : v.is_number_integer() && v.get<int64_t>() >= 0;
  if (!ok) throw std::invalid_argument(where + "." + key + ": expected a non-negative integer, got " + v.dump());
  return v.get<int64_t>();
}

void write_text_file(const std::filesystem::path& path, const std::string& text) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  const std::filesystem::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + tmp.string() + ": " + std::strerror(errno));
    out << text;
    if (!out.flush()) {
      const int err = errno;
      out.close();
      std::error_code ec;
      std::filesystem::remove(tmp, ec);  // never leave a partial file behind
      throw std::runtime_error("failed writing " + tmp.string() + ": " + std::strerror(err));
    }
  }
  std::filesystem::rename(tmp, path);
}

nlohmann::json load_config_with_overrides(const std::filesystem::path& path, const std::vector<std::string>& sets,
                                          const std::string& device) {
  nlohmann::json doc = load_yaml_file(path);
  doc.merge_patch(parse_overrides(sets));
  if (!device.empty()) doc["device"] = device;
  return doc;
}

}  // namespace pevlm
