// Each benchmark's own headline numbers from its rows (issue 24): the metric definitions every row
// carries ("metrics", from the benchmark's datasets::Benchmark::metrics()) applied per configuration:
//  - "accuracy":   correct / scored;
//  - "per_value":  accuracy per value of an axis (a row's categories[axis] values, or duration_group); a
//                  multi-label row (LVBench) counts once in each of its values;
//  - "macro_mean": the unweighted mean of the per-value accuracies over the axis (MLVU's M-Avg).
// Unparsed answers (answer_parsed false) are counted beside each number. Rows without "metrics" (written
// before the dataset interface) get LongVideoBench's overall accuracy only. Torch-free.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pevlm {

// {"columns", "rows"}: benchmark, model, label, metric, group, scored, correct, unparsed, failed, accuracy.
nlohmann::json benchmark_metrics_table(const std::vector<nlohmann::json>& rows);

}  // namespace pevlm
