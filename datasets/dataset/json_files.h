// Reading a benchmark's JSON / JSON Lines release files with errors that name the file and line
// (library pevlm_dataset).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pevlm::datasets {

// One parsed line of a JSON Lines file with its 1-based line number (blank lines are skipped).
struct JsonLine {
  nlohmann::json value;
  int line = 0;
};

// Throws std::runtime_error naming `what` (e.g. "Video-MME annotations") and the path when the file is
// missing ("expected <path>: <hint>"), unreadable, or a line is not valid JSON ("<path>:<line>: ...").
std::vector<JsonLine> read_json_lines(const std::filesystem::path& path, const std::string& what, const std::string& hint);
// The same for a whole JSON document.
nlohmann::json read_json_file(const std::filesystem::path& path, const std::string& what, const std::string& hint);

}  // namespace pevlm::datasets
