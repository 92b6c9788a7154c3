// `pevlm analyze --suggest-sink` (issue 13, item 5): the PEVLM paper picks the sink as the system
// text plus "all frames with high attention" under full attention (its Figure 1). Made a rule here:
//
//   m_f   = full attention's frames-only distribution (analysis_record.h), averaged over the analysed
//           layers of a sample, then over the calibration samples (frame f counted over the samples
//           that have it);
//   med   = the median of m_f over the frames;
//   k     = the number of LEADING frames with m_f > factor x med (the "stand-out" run; frames 0, 1, ...
//           until the first that does not stand out) — the suggestion;
//   k_cov = the smallest k whose leading frames hold `coverage` of the total excess mass
//           sum_f max(0, m_f - med) (a second view, reported beside it).
//
// With the suggestion come the attention FLOP ratios (AttentionPlan::flops, exact causal pairs, and
// the paper's Eq. 10 figure) of PEVLM sys+k / b against full attention on the calibration layouts,
// for the rule's block sizes b.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/analyze/analysis_record.h"
#include "harness/analyze/analyze_config.h"

namespace pevlm {

// Reads the "question" query set of the full-attention records ("generated" when no record has
// one). Throws std::invalid_argument when no full-attention record with frames exists.
nlohmann::json suggest_sink(const std::vector<AnalysisRecord>& records, const SinkRule& rule);

// Markdown summary of suggest_sink()'s value.
std::string sink_markdown(const nlohmann::json& suggestion);

}  // namespace pevlm
