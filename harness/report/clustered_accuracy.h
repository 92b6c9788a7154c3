// Accuracy with 95 % confidence intervals clustered by video, and the unparsed-answer count, per method
// configuration (issue 24 item 8). Written over any result rows with a sample id, a video id, a method
// configuration (model + label) and correct/incorrect, so every benchmark's rows fit.
//
// Questions of one video are correlated (lmms-eval clusters Video-MME's standard errors by videoID for the
// same reason): the unit of resampling and of the robust variance is the video. Tables print the analytic
// cluster-robust interval; report.json carries it and a cluster bootstrap percentile interval.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pevlm {

struct StatsOptions {
  int bootstrap_resamples = 2000;
  uint64_t bootstrap_seed = 24;
};

// The cluster of a row: its "video_id" when that is a non-empty string, else its sample id (each such
// sample its own cluster; cluster_rule() says how many rows that was).
std::string row_cluster(const nlohmann::json& row);
bool row_has_video_id(const nlohmann::json& row);
// The sentence the report prints about clustering and intervals, naming the rows without a video id.
std::string cluster_rule(const std::vector<nlohmann::json>& rows, const StatsOptions& options);

// A scored row whose letter did not come from the extractor: "answer_parsed" false, or (rows written before
// that field) "fallback" true.
bool row_unparsed(const nlohmann::json& row);

// One object per configuration: model, label, method, scored, correct, clusters, accuracy, se, ci_low,
// ci_high (analytic, percent, clipped to [0, 100]), ci (text), bootstrap {low, high, resamples, seed},
// unparsed, fallback_random (unparsed rows scored with the seeded random letter), as {"columns", "rows"}.
nlohmann::json accuracy_ci_table(const std::vector<nlohmann::json>& rows, const StatsOptions& options);

// "[58.10, 66.80]" (two decimals), "-" for null bounds.
std::string interval_text(const nlohmann::json& low, const nlohmann::json& high);

}  // namespace pevlm
