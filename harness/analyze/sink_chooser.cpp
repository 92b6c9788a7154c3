#include "harness/analyze/sink_chooser.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "harness/median.h"
#include "harness/table.h"

namespace pevlm {
namespace {

// Mean frames-only distribution of the calibration records, by frame position.
std::vector<double> mean_frame_mass(const std::vector<const QuerySetMass*>& sets) {
  std::vector<double> sum;
  std::vector<int64_t> count;
  for (const QuerySetMass* s : sets) {
    const std::vector<double> d = s->mean_frame_distribution();
    if (d.size() > sum.size()) sum.resize(d.size(), 0.0), count.resize(d.size(), 0);
    for (size_t f = 0; f < d.size(); ++f) sum[f] += d[f], count[f] += 1;
  }
  for (size_t f = 0; f < sum.size(); ++f) sum[f] /= double(count[f]);
  return sum;
}

// FLOP ratios of PEVLM sys+k / b against full attention, averaged over the calibration layouts.
nlohmann::json flop_ratios(const std::vector<const AnalysisRecord*>& calib, int64_t k, const std::vector<int64_t>& blocks) {
  nlohmann::json out = nlohmann::json::array();
  for (int64_t b : blocks) {
    double exact = 0, eq10 = 0;
    int64_t n = 0;
    for (const AnalysisRecord* r : calib) {
      if (k + 1 > r->layout.num_frames()) continue;  // no context block left
      const AttentionPlan full = build_plan(resolve_method({{"name", "full"}}), r->layout);
      const AttentionPlan pe = build_plan(resolve_method({{"name", "pevlm"}, {"sink_frames", k}, {"block_frames", b}}), r->layout);
      exact += pe.flops(1, 1) / full.flops(1, 1);
      eq10 += pe.paper_eq10_flops(1) / full.paper_eq10_flops(1);
      ++n;
    }
    out.push_back({{"block_frames", b},
                   {"label", "pevlm sys+" + std::to_string(k) + "f/" + std::to_string(b) + "f"},
                   {"samples", n},
                   {"flop_ratio", n ? nlohmann::json(exact / double(n)) : nlohmann::json(nullptr)},
                   {"eq10_ratio", n ? nlohmann::json(eq10 / double(n)) : nlohmann::json(nullptr)},
                   {"speedup_bound", n && exact > 0 ? nlohmann::json(double(n) / exact) : nlohmann::json(nullptr)}});
  }
  return out;
}

}  // namespace

nlohmann::json suggest_sink(const std::vector<AnalysisRecord>& records, const SinkRule& rule) {
  std::vector<const QuerySetMass*> sets;
  std::vector<const AnalysisRecord*> calib;
  std::string set_name;
  for (const char* wanted : {"question", "generated"}) {
    for (const AnalysisRecord& r : records)
      for (const QuerySetMass& s : r.sets)
        if (r.method.name == "full" && s.query_set == wanted && r.layout.num_frames() > 0) {
          sets.push_back(&s);
          calib.push_back(&r);
        }
    if (!sets.empty()) {
      set_name = wanted;
      break;
    }
  }
  if (sets.empty()) throw std::invalid_argument("--suggest-sink: no full-attention analysis of a prompt with video frames");
  const std::vector<double> m = mean_frame_mass(sets);
  const double med = median(m);
  int64_t k = 0;
  while (k < int64_t(m.size()) && m[size_t(k)] > rule.factor * med) ++k;
  double excess = 0;
  for (double v : m) excess += std::max(0.0, v - med);
  int64_t k_cov = 0;
  for (double acc = 0; k_cov < int64_t(m.size()) && acc < rule.coverage * excess - 1e-15; ++k_cov)
    acc += std::max(0.0, m[size_t(k_cov)] - med);
  std::ostringstream r;
  r << "k = leading frames whose mean full-attention frame share exceeds " << rule.factor
    << " x the median frame's; k_coverage = fewest leading frames holding " << rule.coverage
    << " of the excess mass sum(max(0, share - median)); shares from the '" << set_name
    << "' queries, averaged over layers, then over " << sets.size() << " calibration samples";
  return {{"rule", r.str()},
          {"factor", rule.factor},
          {"coverage", rule.coverage},
          {"query_set", set_name},
          {"samples", sets.size()},
          {"frame_share", m},
          {"median_share", med},
          {"suggested_sink_frames", k},
          {"coverage_sink_frames", k_cov},
          {"flops", flop_ratios(calib, k, rule.block_frames)}};
}

std::string sink_markdown(const nlohmann::json& s) {
  std::ostringstream md;
  md << "Rule: " << s["rule"].get<std::string>() << ".\n\n"
     << "Suggested sink: system text + " << s["suggested_sink_frames"] << " frame(s) (coverage rule: "
     << s["coverage_sink_frames"] << "); median frame share " << s["median_share"].get<double>() << ".\n\n"
     << "Attention FLOPs of PEVLM with this sink relative to full attention (exact causal pairs; paper Eq. 10):\n\n"
     << to_markdown({{"label", "configuration"}, {"samples", "samples"}, {"flop_ratio", "FLOP ratio", 4},
                     {"eq10_ratio", "Eq. 10 ratio", 4}, {"speedup_bound", "attention speedup bound", 2}},
                    s["flops"].get<std::vector<nlohmann::json>>());
  return md.str();
}

}  // namespace pevlm
