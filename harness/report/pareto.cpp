// Accuracy vs prefill latency per group with the Pareto front (see pareto.h).
#include "harness/report/pareto.h"

#include <algorithm>
#include <stdexcept>

#include "harness/report/accuracy.h"
#include "harness/report/clustered_accuracy.h"
#include "harness/report/results_io.h"
#include "harness/report/stats.h"

namespace pevlm {

double row_prefill_ms(const nlohmann::json& row) {
  double sum = 0.0;
  for (const char* part : {"prefill_attention", "prefill_other"}) {
    if (!row.contains("timings_ms") || !row["timings_ms"].is_object() || !row["timings_ms"].contains(part) ||
        !row["timings_ms"][part].is_number())
      throw std::runtime_error("result row '" + row.value("key", std::string("?")) + "': timings_ms." + part +
                               " missing or not a number (needed for accuracy vs prefill latency)");
    sum += row["timings_ms"][part].get<double>();
  }
  return sum;
}

std::vector<bool> pareto_front(const std::vector<ParetoPoint>& points) {
  std::vector<bool> on(points.size(), true);
  for (size_t i = 0; i < points.size(); ++i)
    for (size_t j = 0; j < points.size() && on[i]; ++j) {
      const ParetoPoint &p = points[i], &q = points[j];
      if (j != i && q.accuracy >= p.accuracy && q.cost <= p.cost && (q.accuracy > p.accuracy || q.cost < p.cost))
        on[i] = false;
    }
  return on;
}

nlohmann::json pareto_groups(const std::vector<nlohmann::json>& rows, const std::string& by) {
  std::vector<std::string> groups = {"all"};
  for (const std::string& g : group_values(rows, by)) groups.push_back(g);
  nlohmann::json out = nlohmann::json::array();
  for (const std::string& g : groups) {
    std::vector<nlohmann::json> points;
    std::vector<ParetoPoint> xy;
    for (const ConfigInfo& cfg : list_configs(rows)) {
      std::vector<double> y;
      std::vector<std::string> clusters;
      double ms = 0.0;
      for (const auto& r : rows) {
        if (!row_in_config(r, cfg) || row_failed(r) || (g != "all" && group_value(r, by) != g)) continue;
        y.push_back(row_correct(r) ? 1.0 : 0.0);
        clusters.push_back(row_cluster(r));
        ms += row_prefill_ms(r);
      }
      if (y.empty()) continue;
      const stats::ClusteredMean m = stats::clustered_mean(y, clusters);
      const auto pct = [](const std::optional<double>& v, double lo) {
        return v ? nlohmann::json(std::clamp(100.0 * *v, lo, 100.0)) : nlohmann::json(nullptr);
      };
      points.push_back({{"model", cfg.model}, {"label", cfg.label}, {"method", cfg.method}, {"scored", y.size()},
                        {"accuracy", 100.0 * m.mean}, {"ci_low", pct(m.ci_low, 0.0)}, {"ci_high", pct(m.ci_high, 0.0)},
                        {"prefill_ms", ms / double(y.size())}});
      xy.push_back({100.0 * m.mean, ms / double(y.size())});
    }
    const std::vector<bool> front = pareto_front(xy);
    for (size_t i = 0; i < points.size(); ++i) points[i]["pareto"] = bool(front[i]);
    out.push_back({{"group", g}, {"grouping", by}, {"points", points}});
  }
  return out;
}

}  // namespace pevlm
