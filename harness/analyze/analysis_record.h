// One analysed (sample, method configuration): the span masses per query set and layer, as the
// recorder produced them, and their JSON form (one line of analysis.jsonl per record and query set).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/analyze/mass_recorder.h"
#include "methods/method_registry.h"
#include "methods/token_layout.h"

namespace pevlm {

// The masses of one query set ("question" or "generated") over its spans, per analysed layer.
struct QuerySetMass {
  std::string query_set;
  std::vector<SpanInfo> spans;
  std::vector<LayerMass> layers;
  // Head-averaged mass per span of layer entry `i` (sums to 1 up to rounding).
  std::vector<double> span_mass(size_t i) const;
  // The distribution over video frames only (frame masses / their sum), frames in prompt order:
  // the bottom row of the paper's Figure 1. Empty when the prompt has no frames.
  std::vector<double> frame_distribution(size_t i) const;
  // span_mass / frame_distribution averaged over every analysed layer.
  std::vector<double> mean_span_mass() const;
  std::vector<double> mean_frame_distribution() const;
  double max_sum_error() const;
};

struct AnalysisRecord {
  std::string sample_id;
  MethodConfig method;
  TokenLayout layout;              // the prompt's layout (for FLOP ratios of suggested sinks)
  std::vector<QuerySetMass> sets;  // in the order question, generated
  nlohmann::json extra = nlohmann::json::object();  // timings, memory, generated token, ...
};

// One JSON object per query set of the record: sample_id, label, method, params, query_set, tokens,
// spans [{label, kind, begin, end}], layers [{layer, queries, max_sum_error, mass [S], frames [F],
// per_head [[S] x Hq] when per_head}], plus `extra` and `provenance`.
std::vector<nlohmann::json> record_rows(const AnalysisRecord& r, bool per_head, const nlohmann::json& provenance);

}  // namespace pevlm
