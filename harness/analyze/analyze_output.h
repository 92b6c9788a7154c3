// The files `pevlm analyze` writes into its output folder (each carries provenance: commit, machine,
// versions, the resolved configuration):
//   analysis.jsonl        one row per (sample, method configuration, query set): span masses per layer
//   mass.csv              mean mass per (configuration, query set, layer | mean, span) over samples
//   divergence.json/.csv  KL / JS / TV from full attention per (configuration, query set, layer | mean)
//   sink.json / sink.md   --suggest-sink: the rule, the suggested sink and the FLOP ratios
//   analysis.md           the summary: provenance, the divergence table, the sink suggestion, plots
//   summary.json          figures of the run (records, errors, max |sum - 1|, peak memory, time)
// scripts/plot_analysis.py OUT draws the Figure-1 plots (PNG + SVG) from mass.csv / divergence.csv.
#pragma once

#include <string>
#include <vector>

#include "harness/analyze/analysis_record.h"
#include "harness/analyze/analyze_config.h"
#include "harness/analyze/analyze_runner.h"

namespace pevlm {

void write_analysis_outputs(const std::vector<AnalysisRecord>& records, const AnalyzeConfig& config,
                            const AnalyzeOptions& options, const AnalyzeSummary& summary,
                            const std::vector<std::string>& errors);

// The plot files scripts/plot_analysis.py writes (PNG; an SVG of the same name beside each).
const std::vector<std::string>& analysis_plot_images();

}  // namespace pevlm
