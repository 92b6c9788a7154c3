// YAML configuration files as JSON values (one representation for configs, result rows and
// reports), strict key checking, and writing the resolved configuration beside the outputs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pevlm {

// Reads a YAML file; scalars become ints, floats, bools or strings. Throws naming the file/line.
nlohmann::json load_yaml_file(const std::filesystem::path& path);
nlohmann::json yaml_text_to_json(const std::string& text, const std::string& source_name);

// Throws std::invalid_argument "<where>: unknown key 'k'; valid keys: a, b, c" for any other key,
// and for a missing required key.
void check_keys(const nlohmann::json& obj, const std::vector<std::string>& valid, const std::string& where,
                const std::vector<std::string>& required = {});

// obj[key] as a non-negative integer (default when absent); anything else (a string, 2.5, -1, 1e30)
// is std::invalid_argument "<where>.<key>: expected a non-negative integer, got ...".
int64_t integer_value(const nlohmann::json& obj, const std::string& key, int64_t fallback, const std::string& where);

// Parses "key=value" overrides (value as YAML scalar/list) into a JSON object.
nlohmann::json parse_overrides(const std::vector<std::string>& assignments);

// A command's configuration: the YAML file at `path` with the command line's `--set key=value`
// overrides merged in and `--device` (when given) written over the config's `device:` (the executor
// is checked against it later: a conflict is an error naming both, never a silent switch).
nlohmann::json load_config_with_overrides(const std::filesystem::path& path, const std::vector<std::string>& sets,
                                          const std::string& device);

// Writes text atomically (temporary file + rename).
void write_text_file(const std::filesystem::path& path, const std::string& text);

}  // namespace pevlm
