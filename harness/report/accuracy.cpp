#include "harness/report/accuracy.h"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "harness/report/results_io.h"

namespace pevlm {

std::vector<ConfigInfo> list_configs(const std::vector<nlohmann::json>& rows) {
  std::vector<ConfigInfo> out;
  for (const auto& r : rows) {
    ConfigInfo c{row_model(r), r.at("label").get<std::string>(), r.at("method").get<std::string>(),
                 r.contains("params") ? r["params"] : nlohmann::json::object()};
    if (r.contains("reduction") && r["reduction"].is_object()) c.reduction = r["reduction"].value("label", std::string("none"));
    const bool seen = std::any_of(out.begin(), out.end(), [&](const ConfigInfo& o) { return o.model == c.model && o.label == c.label; });
    if (!seen) out.push_back(std::move(c));
  }
  return out;
}

bool row_in_config(const nlohmann::json& row, const ConfigInfo& cfg) {
  return row.at("label").get<std::string>() == cfg.label && row_model(row) == cfg.model;
}

nlohmann::json Tally::accuracy() const {
  if (scored == 0) return nullptr;
  return 100.0 * double(correct) / double(scored);
}

bool row_correct(const nlohmann::json& row) {
  if (!row.contains("correct") || !row["correct"].is_boolean())
    throw std::runtime_error("result row '" + row.value("key", std::string("?")) +
                             "': scored row (no error) needs boolean 'correct'");
  return row["correct"].get<bool>();
}

void add_to_tally(Tally& t, const nlohmann::json& row) {
  if (row_failed(row)) {
    ++t.failed;
    return;
  }
  ++t.scored;
  if (row_correct(row)) ++t.correct;
  if (row.contains("fallback") && row["fallback"].is_boolean() && row["fallback"].get<bool>()) ++t.fallback;
}

std::string group_value(const nlohmann::json& row, const std::string& by) {
  if (!row.contains(by) || row[by].is_null()) return "?";
  const auto& v = row[by];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::vector<std::string> group_values(const std::vector<nlohmann::json>& rows, const std::string& by) {
  std::vector<nlohmann::json> values;  // json's ordering: numbers numerically before strings
  for (const auto& r : rows) {
    nlohmann::json v = (r.contains(by) && !r[by].is_null()) ? r[by] : nlohmann::json("?");
    if (std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
  }
  std::sort(values.begin(), values.end());
  std::vector<std::string> out;
  for (const auto& v : values) out.push_back(v.is_string() ? v.get<std::string>() : v.dump());
  return out;
}

std::vector<nlohmann::json> accuracy_rows(const std::vector<nlohmann::json>& rows, const std::string& by) {
  const std::vector<std::string> groups = by.empty() ? std::vector<std::string>{"all"} : group_values(rows, by);
  std::vector<nlohmann::json> out;
  for (const ConfigInfo& cfg : list_configs(rows)) {
    std::map<std::string, Tally> tallies;
    for (const auto& r : rows)
      if (row_in_config(r, cfg)) add_to_tally(tallies[by.empty() ? "all" : group_value(r, by)], r);
    for (const std::string& g : groups) {
      auto it = tallies.find(g);
      if (it == tallies.end()) continue;
      const Tally& t = it->second;
      out.push_back({{"model", cfg.model}, {"label", cfg.label}, {"method", cfg.method}, {"grouping", by.empty() ? "overall" : by},
                     {"group", g}, {"scored", t.scored}, {"correct", t.correct}, {"failed", t.failed},
                     {"fallback", t.fallback}, {"accuracy", t.accuracy()}});
    }
  }
  return out;
}

}  // namespace pevlm
