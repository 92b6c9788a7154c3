// Accuracy vs prefill latency per duration group, with the Pareto front marked (issue 24 item 8), the data
// of scripts/plot.py's accuracy_vs_prefill_<group> figures.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pevlm {

// Mean prefill ms of scored rows (timings_ms.prefill_attention + prefill_other: the part the methods
// accelerate). Throws std::runtime_error naming the row when a scored row lacks either timing.
double row_prefill_ms(const nlohmann::json& row);

struct ParetoPoint {
  double accuracy;  // higher is better
  double cost;      // lower is better
};
// on_front[i]: no other point is at least as accurate and at least as fast, and strictly better in one.
std::vector<bool> pareto_front(const std::vector<ParetoPoint>& points);

// One object per group value of `by` ("all" first, then the groups in group_values() order): {"group",
// "points": [{model, label, method, scored, accuracy, ci_low, ci_high, prefill_ms, pareto}]}. Points with no
// scored row are left out.
nlohmann::json pareto_groups(const std::vector<nlohmann::json>& rows, const std::string& by);

}  // namespace pevlm
