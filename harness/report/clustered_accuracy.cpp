// Accuracy with video-clustered intervals and unparsed counts per configuration (see clustered_accuracy.h).
#include "harness/report/clustered_accuracy.h"

#include <algorithm>
#include <cstdio>

#include "harness/report/accuracy.h"
#include "harness/report/report_tables.h"
#include "harness/report/results_io.h"
#include "harness/report/stats.h"

namespace pevlm {
namespace {

nlohmann::json pct(double v) { return 100.0 * v; }
nlohmann::json clipped_pct(double v) { return std::clamp(100.0 * v, 0.0, 100.0); }

}  // namespace

bool row_has_video_id(const nlohmann::json& row) {
  return row.contains("video_id") && row["video_id"].is_string() && !row["video_id"].get<std::string>().empty();
}

std::string row_cluster(const nlohmann::json& row) {
  return row_has_video_id(row) ? "video:" + row["video_id"].get<std::string>()
                               : "sample:" + row.at("sample_id").get<std::string>();
}

std::string cluster_rule(const std::vector<nlohmann::json>& rows, const StatsOptions& options) {
  int64_t without = 0;
  for (const auto& r : rows) without += row_has_video_id(r) ? 0 : 1;
  std::string rule =
      "95 % confidence intervals are clustered by video (questions of one video are correlated). The tables print "
      "the analytic cluster-robust interval: accuracy +/- 1.96 x the CR1 standard error of an OLS of correctness on "
      "a constant with video clusters (statsmodels cov_type='cluster'), clipped to [0, 100]; report.json also holds "
      "a cluster bootstrap percentile interval (" +
      std::to_string(options.bootstrap_resamples) + " resamples of whole videos, seed " +
      std::to_string(options.bootstrap_seed) +
      "). 'unparsed' counts scored answers whose letter the extractor could not read (scored wrong, or with "
      "LongVideoBench's seeded random letter: 'random').";
  if (without > 0)
    rule += " " + std::to_string(without) + " of " + std::to_string(rows.size()) +
            " rows have no video_id (written before it was recorded): each of their samples is its own cluster.";
  return rule;
}

bool row_unparsed(const nlohmann::json& row) {
  if (row.contains("answer_parsed") && row["answer_parsed"].is_boolean()) return !row["answer_parsed"].get<bool>();
  return row.contains("fallback") && row["fallback"].is_boolean() && row["fallback"].get<bool>();
}

std::string interval_text(const nlohmann::json& low, const nlohmann::json& high) {
  if (!low.is_number() || !high.is_number()) return "-";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "[%.2f, %.2f]", low.get<double>(), high.get<double>());
  return buf;
}

nlohmann::json accuracy_ci_table(const std::vector<nlohmann::json>& rows, const StatsOptions& options) {
  std::vector<nlohmann::json> out;
  for (const ConfigInfo& cfg : list_configs(rows)) {
    std::vector<double> y;
    std::vector<std::string> clusters;
    int64_t unparsed = 0, random = 0;
    for (const auto& r : rows) {
      if (!row_in_config(r, cfg) || row_failed(r)) continue;
      y.push_back(row_correct(r) ? 1.0 : 0.0);
      clusters.push_back(row_cluster(r));
      if (row_unparsed(r)) {
        ++unparsed;
        if (r.value("answer_fallback", nlohmann::json()) == "random" || !r.contains("answer_parsed")) ++random;
      }
    }
    nlohmann::json o = {{"model", cfg.model}, {"label", cfg.label}, {"method", cfg.method}, {"scored", y.size()},
                        {"unparsed", unparsed}, {"fallback_random", random}};
    const stats::ClusteredMean m = stats::clustered_mean(y, clusters);
    o["clusters"] = m.clusters;
    o["correct"] = int64_t(std::count(y.begin(), y.end(), 1.0));
    o["accuracy"] = m.n ? pct(m.mean) : nlohmann::json(nullptr);
    o["se"] = m.se ? pct(*m.se) : nlohmann::json(nullptr);
    o["ci_low"] = m.ci_low ? clipped_pct(*m.ci_low) : nlohmann::json(nullptr);
    o["ci_high"] = m.ci_high ? clipped_pct(*m.ci_high) : nlohmann::json(nullptr);
    o["ci"] = interval_text(o["ci_low"], o["ci_high"]);
    if (m.n > 0) {
      const stats::BootstrapInterval b =
          stats::cluster_bootstrap(y, clusters, options.bootstrap_resamples, options.bootstrap_seed);
      o["bootstrap"] = {{"low", pct(b.low)}, {"high", pct(b.high)}, {"resamples", b.resamples}, {"seed", b.seed}};
    } else {
      o["bootstrap"] = nullptr;
    }
    out.push_back(std::move(o));
  }
  return table_json({{"model", "model"}, {"label", "configuration"}, {"accuracy", "accuracy %", 2},
                     {"ci", "95 % CI (video clusters)"}, {"se", "SE", 2}, {"scored", "scored"}, {"clusters", "clusters"},
                     {"unparsed", "unparsed"}, {"fallback_random", "of which random"}},
                    out);
}

}  // namespace pevlm
