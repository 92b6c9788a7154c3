// Typed JSON field access with file / entry / field in every error (see json_fields.h).
#include "datasets/longvideobench/json_fields.h"

#include <stdexcept>

namespace pevlm::lvb {

void JsonContext::fail(const std::string& field, const std::string& what) const {
  std::string msg = file + ": " + entry;
  if (!field.empty()) msg += ": field \"" + field + "\"";
  throw std::runtime_error(msg + ": " + what);
}

std::string describe_json(const nlohmann::json& value) {
  std::string dump = value.dump();
  if (dump.size() > 60) dump = dump.substr(0, 57) + "...";
  return std::string(value.type_name()) + " " + dump;
}

bool is_json_integer(const nlohmann::json& value) { return value.is_number_integer(); }

bool is_json_number(const nlohmann::json& value) { return value.is_number(); }

const nlohmann::json& require_field(const nlohmann::json& obj, const std::string& key,
                                    const JsonContext& ctx) {
  auto it = obj.find(key);
  if (it == obj.end()) ctx.fail(key, "missing field");
  return *it;
}

std::string get_string(const nlohmann::json& obj, const std::string& key, const JsonContext& ctx) {
  const auto& v = require_field(obj, key, ctx);
  if (!v.is_string()) ctx.fail(key, "expected a string, got " + describe_json(v));
  return v.get<std::string>();
}

int64_t get_integer(const nlohmann::json& obj, const std::string& key, const JsonContext& ctx) {
  const auto& v = require_field(obj, key, ctx);
  if (!is_json_integer(v)) ctx.fail(key, "expected an integer, got " + describe_json(v));
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    ctx.fail(key, "integer out of range: " + v.dump());
  }
  return v.get<int64_t>();
}

double get_number(const nlohmann::json& obj, const std::string& key, const JsonContext& ctx) {
  const auto& v = require_field(obj, key, ctx);
  if (!is_json_number(v)) ctx.fail(key, "expected a number, got " + describe_json(v));
  return v.get<double>();
}

std::vector<std::string> get_string_list(const nlohmann::json& obj, const std::string& key,
                                         const JsonContext& ctx) {
  const auto& v = require_field(obj, key, ctx);
  if (!v.is_array()) ctx.fail(key, "expected a list of strings, got " + describe_json(v));
  std::vector<std::string> out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string()) {
      ctx.fail(key, "element " + std::to_string(i) + ": expected a string, got " +
                        describe_json(v[i]));
    }
    out.push_back(v[i].get<std::string>());
  }
  return out;
}

std::vector<int64_t> get_integer_list(const nlohmann::json& obj, const std::string& key,
                                      const JsonContext& ctx) {
  const auto& v = require_field(obj, key, ctx);
  if (!v.is_array()) ctx.fail(key, "expected a list of integers, got " + describe_json(v));
  std::vector<int64_t> out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (!is_json_integer(v[i])) {
      ctx.fail(key, "element " + std::to_string(i) + ": expected an integer, got " +
                        describe_json(v[i]));
    }
    out.push_back(v[i].get<int64_t>());
  }
  return out;
}

}  // namespace pevlm::lvb
