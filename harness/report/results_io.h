// Reading result rows (results.jsonl, one JSON object per (sample, method configuration)) and
// speed rows (speed.json). DESIGN.md "Results are self-describing": reports read only these.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pevlm {

struct ResultSet {
  std::vector<nlohmann::json> rows;
  std::vector<std::string> warnings;  // e.g. a torn last line that was skipped
};

// Parses a JSONL file. A last line that does not parse and has no trailing newline is a torn
// write (the run was interrupted mid-append): skipped with a warning. Any other bad line, a line
// that is not an object, or a row without "key"/"sample_id"/"method"/"label" throws
// std::runtime_error naming the file and line.
ResultSet load_results_jsonl(const std::filesystem::path& path);
ResultSet parse_results_jsonl(const std::string& text, const std::string& source_name);

// speed.json: an array of objects with at least "label" and "attn_ms". Throws naming the file.
std::vector<nlohmann::json> load_speed_json(const std::filesystem::path& path);

// A result row failed when "error" is present and not null; such a row is never scored.
bool row_failed(const nlohmann::json& row);
// Model name of a row ("model.name"), "?" when absent.
std::string row_model(const nlohmann::json& row);

}  // namespace pevlm
