// Tables for reports: one set of rows, printed as Markdown (people), CSV (spreadsheets) and
// JSON (tools) — llama-bench's "one printer per format" idea.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pevlm {

struct Column {
  std::string key;     // JSON key in a row (dotted path allowed: "params.sink_frames")
  std::string title;   // header text
  int precision = -1;  // digits after the point for numbers; -1 = as is
};

// Formats row[key] for display: numbers with the column's precision, strings as is, objects compact.
std::string format_cell(const nlohmann::json& row, const Column& col);
std::string to_markdown(const std::vector<Column>& cols, const std::vector<nlohmann::json>& rows);
std::string to_csv(const std::vector<Column>& cols, const std::vector<nlohmann::json>& rows);

}  // namespace pevlm
