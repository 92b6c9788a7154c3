// Assembles the whole report (report.json) from result rows and optional speed rows, and renders
// its deterministic Markdown body (what the golden test compares) and CSV.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/report/clustered_accuracy.h"
#include "harness/report/latency_caps.h"
#include "harness/report/results_io.h"

namespace pevlm {

struct ReportOptions {
  std::vector<double> caps_s{20, 30, 40};
  LatencyMode latency = LatencyMode::Model;
  std::vector<nlohmann::json> speed_rows;  // empty: no Figure 4 table
  std::string speed_source;                // file the speed rows came from
  std::vector<std::string> plot_images;    // image files (relative to the report) to link
  StatsOptions stats;                      // bootstrap resamples and seed
  // Columns (model, configuration) whose rows record different protocols: an error (protocol_check.h)
  // unless allowed, then a warning per column.
  bool allow_mixed_protocols = false;
};

// Everything derived from the rows: provenance, rule, tables, failures, warnings. Deterministic. Throws
// std::invalid_argument when a column mixes protocols and options.allow_mixed_protocols is false.
nlohmann::json build_report(const ResultSet& results, const ReportOptions& options);
// Markdown of build_report()'s value, without the generation header (deterministic).
std::string render_report_body(const nlohmann::json& report);
// Long-form accuracy (overall and every grouping) as CSV.
std::string render_report_csv(const nlohmann::json& report);

// The plot files scripts/plot.py writes, in the order the report links them.
const std::vector<std::string>& known_plot_images();
// Whether `file` is one of the per-group accuracy_vs_prefill_<group>.png figures of scripts/plot.py.
bool is_pareto_plot_image(const std::string& file);

}  // namespace pevlm
