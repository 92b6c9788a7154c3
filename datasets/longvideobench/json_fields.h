// Typed access to fields of LongVideoBench JSON objects with errors that name the file, the
// entry and the field (library pevlm_lvb; internal helper of annotations.cpp / subtitles.cpp).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace pevlm::lvb {

// Where a JSON object came from, for error messages: "<file>: entry 3 (id \"x_0\")".
struct JsonContext {
  std::string file;   // file name (or a caller-chosen source name)
  std::string entry;  // "entry 3 (id \"x_0\")"
  // Throws std::runtime_error "<file>: <entry>: field \"<field>\": <what>".
  [[noreturn]] void fail(const std::string& field, const std::string& what) const;
};

// A short rendering of a JSON value for "got ..." in error messages (type + truncated dump).
std::string describe_json(const nlohmann::json& value);

// The field `key` of `obj`, or throws "missing field" naming it.
const nlohmann::json& require_field(const nlohmann::json& obj, const std::string& key,
                                    const JsonContext& ctx);
// Typed getters: throw "expected <type>, got <value>" on a wrong type. Booleans are never numbers.
std::string get_string(const nlohmann::json& obj, const std::string& key, const JsonContext& ctx);
int64_t get_integer(const nlohmann::json& obj, const std::string& key, const JsonContext& ctx);
double get_number(const nlohmann::json& obj, const std::string& key, const JsonContext& ctx);
std::vector<std::string> get_string_list(const nlohmann::json& obj, const std::string& key,
                                         const JsonContext& ctx);
std::vector<int64_t> get_integer_list(const nlohmann::json& obj, const std::string& key,
                                      const JsonContext& ctx);

// JSON value tests used by the getters (bool is excluded from the numeric ones, as in the schema).
bool is_json_integer(const nlohmann::json& value);
bool is_json_number(const nlohmann::json& value);

}  // namespace pevlm::lvb
