// Typed JSON access with errors that name the file and the key (see config_json.h).
#include "models/llm/config_json.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pevlm::config_json {

using nlohmann::json;

void fail_key(const std::string& source, const std::string& key, const std::string& what) {
  throw std::runtime_error(source + ": key '" + key + "' " + what);
}

std::string read_text_file(const std::string& path, const char* default_name, std::string& resolved) {
  std::filesystem::path p(path);
  std::error_code ec;
  if (std::filesystem::is_directory(p, ec)) p /= default_name;
  resolved = p.string();
  std::ifstream in(p);
  if (!in) throw std::runtime_error(resolved + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json parse_json(const std::string& text, const std::string& source) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    throw std::runtime_error(source + ": not valid JSON: " + e.what());
  }
  if (!doc.is_object()) throw std::runtime_error(source + ": expected a JSON object at the top level");
  return doc;
}

std::pair<const json*, std::string> JsonReader::locate(const std::string& key) const {
  for (const auto& layer : layers_) {
    const auto it = layer.object->find(key);
    if (it != layer.object->end() && !it->is_null()) return {&*it, layer.prefix};
  }
  return {nullptr, layers_.empty() ? std::string() : layers_.front().prefix};
}

bool JsonReader::null_in_file(const std::string& key) const {
  if (in_file(key)) return false;
  for (const auto& layer : layers_) {
    const auto it = layer.object->find(key);
    if (it != layer.object->end() && it->is_null()) return true;
  }
  return false;
}

const json* JsonReader::find(const std::string& key) const {
  if (const json* v = locate(key).first) return v;
  if (defaults_ == nullptr || null_in_file(key)) return nullptr;
  const auto it = defaults_->values.find(key);
  return it != defaults_->values.end() && !it->is_null() ? &*it : nullptr;
}

std::string JsonReader::qualified(const std::string& key) const { return locate(key).second + key; }

void JsonReader::fail(const std::string& key, const std::string& what) const { fail_key(source_, qualified(key), what); }

const json& JsonReader::require(const std::string& key, const char* expected) const {
  const json* v = find(key);
  if (v == nullptr) {
    std::string where;
    for (const auto& layer : layers_)
      where += std::string(where.empty() ? "" : " or ") + (layer.prefix.empty() ? "top level" : layer.prefix);
    std::string why = std::string("missing (expected ") + expected + " at " + where + ")";
    if (defaults_ != nullptr)
      why += null_in_file(key) ? "; it is null, and model_type '" + defaults_->model_type + "' needs a value"
                               : "; model_type '" + defaults_->model_type + "' has no default for it (" +
                                     defaults_->reference + ")";
    fail(key, why);
  }
  return *v;
}

int64_t JsonReader::get_int(const std::string& key) const {
  const json& v = require(key, "an integer");
  if (!v.is_number_integer()) fail(key, "must be an integer, got " + v.dump());
  return v.get<int64_t>();
}

double JsonReader::get_double(const std::string& key) const {
  const json& v = require(key, "a number");
  if (!v.is_number()) fail(key, "must be a number, got " + v.dump());
  return v.get<double>();
}

bool JsonReader::get_bool(const std::string& key) const {
  const json& v = require(key, "true or false");
  if (!v.is_boolean()) fail(key, "must be true or false, got " + v.dump());
  return v.get<bool>();
}

std::string JsonReader::get_string(const std::string& key) const {
  const json& v = require(key, "a string");
  if (!v.is_string()) fail(key, "must be a string, got " + v.dump());
  return v.get<std::string>();
}

std::vector<int64_t> JsonReader::get_int_array(const std::string& key) const {
  const json& v = require(key, "an array of integers");
  if (!v.is_array()) fail(key, "must be an array of integers, got " + v.dump());
  std::vector<int64_t> out;
  for (const auto& e : v) {
    if (!e.is_number_integer()) fail(key, "must be an array of integers, got " + v.dump());
    out.push_back(e.get<int64_t>());
  }
  return out;
}

std::vector<double> JsonReader::get_double_array(const std::string& key) const {
  const json& v = require(key, "an array of numbers");
  if (!v.is_array()) fail(key, "must be an array of numbers, got " + v.dump());
  std::vector<double> out;
  for (const auto& e : v) {
    if (!e.is_number()) fail(key, "must be an array of numbers, got " + v.dump());
    out.push_back(e.get<double>());
  }
  return out;
}

bool JsonReader::get_bool_any_layer(const std::string& key) const {
  bool found = false;
  for (const auto& layer : layers_) {
    const auto it = layer.object->find(key);
    if (it == layer.object->end() || it->is_null()) continue;
    if (!it->is_boolean()) fail_key(source_, layer.prefix + key, "must be true or false, got " + it->dump());
    if (it->get<bool>()) return true;
    found = true;
  }
  return found ? false : get_bool(key);
}

int64_t JsonReader::get_token_id(const std::string& key) const {
  const json& v = require(key, "a token id");
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_array() && !v.empty() && v.front().is_number_integer()) return v.front().get<int64_t>();
  fail(key, "must be a token id (integer or non-empty list of integers), got " + v.dump());
}

}  // namespace pevlm::config_json
