// Tables derived from analysis records (issue 13, items 3 and 4): how far each method's attention
// distribution is from full attention's (KL, Jensen-Shannon, total variation; over frames and over
// all spans), and the mean mass per span that the Figure-1 plots draw.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/analyze/analysis_record.h"

namespace pevlm {

// Divergences of distribution q from the reference p (full attention), both renormalised to sum 1:
//   KL(p || q) = sum p log(p / q)      (nats; q smoothed by eps = 1e-12 so a key range that a
//                                        method cannot see gives a large, finite number)
//   JS(p, q)   = (KL(p || m) + KL(q || m)) / 2, m = (p + q) / 2   (nats, in [0, ln 2])
//   TV(p, q)   = sum |p - q| / 2                                  (in [0, 1])
struct Divergence {
  double kl = 0, js = 0, tv = 0;
};
Divergence divergence(const std::vector<double>& p, const std::vector<double>& q);

// Per (method label, query set, layer) and per (label, query set) over all layers ("layer": "mean"):
// divergences from the same sample's full-attention record, averaged over samples. Keys: label,
// method, params, query_set, layer, samples, kl_frames, js_frames, tv_frames, kl_spans, js_spans,
// tv_spans. Samples without a full-attention record are skipped.
std::vector<nlohmann::json> divergence_rows(const std::vector<AnalysisRecord>& records);

// Per (label, query set, layer or "mean", span label): the head-averaged mass and, for frames, the
// share of the frames-only distribution, averaged over the samples that have that span. Keys: label,
// method, params, query_set, layer, span, kind, frame_index, mass, frame_share, samples.
std::vector<nlohmann::json> mass_rows(const std::vector<AnalysisRecord>& records);

// Markdown: the per-method divergence table (layer mean) with the rule stated above it.
std::string divergence_markdown(const std::vector<nlohmann::json>& rows);

}  // namespace pevlm
