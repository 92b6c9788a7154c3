#include "harness/report/benchmark_metrics.h"

#include <algorithm>
#include <map>

#include "harness/report/accuracy.h"
#include "harness/report/report_tables.h"

namespace pevlm {
namespace {

std::string benchmark_of(const nlohmann::json& r) { return r.value("benchmark", std::string("longvideobench")); }

std::vector<std::string> values_of(const nlohmann::json& r, const std::string& axis) {
  std::vector<std::string> out;
  if (axis == "duration_group") {
    out.push_back(group_value(r, "duration_group"));
    return out;
  }
  if (r.contains("categories") && r["categories"].is_object() && r["categories"].contains(axis))
    for (const auto& v : r["categories"][axis]) out.push_back(v.is_string() ? v.get<std::string>() : v.dump());
  if (out.empty()) out.push_back("?");
  return out;
}

bool unparsed(const nlohmann::json& r) {
  return r.contains("answer_parsed") && r["answer_parsed"].is_boolean() && !r["answer_parsed"].get<bool>();
}

nlohmann::json line(const std::string& bench, const ConfigInfo& cfg, const std::string& metric, const std::string& group,
                    const Tally& t, int64_t unparsed_count, nlohmann::json accuracy) {
  return {{"benchmark", bench}, {"model", cfg.model}, {"label", cfg.label}, {"metric", metric}, {"group", group},
          {"scored", t.scored}, {"correct", t.correct}, {"unparsed", unparsed_count}, {"failed", t.failed},
          {"accuracy", std::move(accuracy)}};
}

}  // namespace

nlohmann::json benchmark_metrics_table(const std::vector<nlohmann::json>& rows) {
  std::vector<std::string> benches;
  for (const auto& r : rows)
    if (std::find(benches.begin(), benches.end(), benchmark_of(r)) == benches.end()) benches.push_back(benchmark_of(r));
  std::vector<nlohmann::json> out;
  for (const std::string& bench : benches) {
    std::vector<nlohmann::json> mine;
    nlohmann::json metrics = nlohmann::json::array({{{"name", "accuracy"}, {"kind", "accuracy"}, {"axis", ""}}});
    for (const auto& r : rows)
      if (benchmark_of(r) == bench) {
        mine.push_back(r);
        if (r.contains("metrics") && r["metrics"].is_array()) metrics = r["metrics"];
      }
    for (const ConfigInfo& cfg : list_configs(mine)) {
      std::vector<nlohmann::json> cfg_rows;
      for (const auto& r : mine)
        if (row_in_config(r, cfg)) cfg_rows.push_back(r);
      for (const auto& m : metrics) {
        const std::string kind = m.value("kind", std::string()), name = m.value("name", std::string()),
                          axis = m.value("axis", std::string());
        if (kind == "accuracy") {
          Tally t;
          int64_t u = 0;
          for (const auto& r : cfg_rows) add_to_tally(t, r), u += unparsed(r) ? 1 : 0;
          out.push_back(line(bench, cfg, name, "all", t, u, t.accuracy()));
          continue;
        }
        std::map<std::string, std::pair<Tally, int64_t>> per;
        for (const auto& r : cfg_rows)
          for (const std::string& v : values_of(r, axis)) add_to_tally(per[v].first, r), per[v].second += unparsed(r) ? 1 : 0;
        if (kind == "per_value") {
          for (const auto& [v, tu] : per) out.push_back(line(bench, cfg, name, v, tu.first, tu.second, tu.first.accuracy()));
        } else if (kind == "macro_mean") {
          Tally total;
          int64_t u = 0;
          double sum = 0;
          int n = 0;
          for (const auto& [v, tu] : per) {
            total.scored += tu.first.scored, total.correct += tu.first.correct, total.failed += tu.first.failed, u += tu.second;
            if (tu.first.scored > 0) sum += tu.first.accuracy().get<double>(), ++n;
          }
          out.push_back(line(bench, cfg, name, "mean over " + std::to_string(n) + " " + axis + " values", total, u,
                             n ? nlohmann::json(sum / n) : nlohmann::json(nullptr)));
        }
      }
    }
  }
  return table_json({{"benchmark", "benchmark"}, {"model", "model"}, {"label", "configuration"}, {"metric", "metric"},
                     {"group", "group"}, {"accuracy", "accuracy %", 2}, {"scored", "scored"}, {"correct", "correct"},
                     {"unparsed", "unparsed"}, {"failed", "failed"}},
                    out);
}

}  // namespace pevlm
