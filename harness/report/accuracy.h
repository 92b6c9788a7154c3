// Accuracy per method configuration, overall and per group (duration group, question category,
// level). Rule (stated in every report): accuracy = correct / scored samples, where a scored
// sample is a row without an error; failed rows are counted in their own column and listed, never
// silently counted as wrong. Mirrors lmms-eval's LongVideoBench aggregation (accuracy per
// duration group / category) with the failure accounting added.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pevlm {

// One method configuration as it appears in the rows (model name + label), in order of first
// appearance so reports are deterministic for a given file.
struct ConfigInfo {
  std::string model;
  std::string label;
  std::string method;
  nlohmann::json params = nlohmann::json::object();
  std::string reduction = "none";  // the rows' reduction label (reduction/; rows without one: "none")
};
std::vector<ConfigInfo> list_configs(const std::vector<nlohmann::json>& rows);
bool row_in_config(const nlohmann::json& row, const ConfigInfo& cfg);

struct Tally {
  int64_t scored = 0;
  int64_t correct = 0;
  int64_t failed = 0;
  int64_t fallback = 0;  // scored rows whose letter came from the answer parser's fallback
  // 100 * correct / scored, or null when nothing was scored.
  nlohmann::json accuracy() const;
};

// Is this scored row correct? Throws std::runtime_error naming the row's key when "correct" is
// not a boolean. Must not be called on failed rows.
bool row_correct(const nlohmann::json& row);
void add_to_tally(Tally& t, const nlohmann::json& row);

// The value of a grouping key ("duration_group", "question_category", "level") as text; "?" when
// absent.
std::string group_value(const nlohmann::json& row, const std::string& by);
// Distinct values of `by` over the rows, numbers in numeric order, then strings.
std::vector<std::string> group_values(const std::vector<nlohmann::json>& rows, const std::string& by);

// Long form: one object per (config, group value): model, label, method, grouping, group,
// scored, correct, failed, fallback, accuracy. by == "" gives the overall rows (group "all").
std::vector<nlohmann::json> accuracy_rows(const std::vector<nlohmann::json>& rows, const std::string& by);

}  // namespace pevlm
