// Paired comparison of each configuration with full attention (see paired_comparison.h).
#include "harness/report/paired_comparison.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "harness/report/accuracy.h"
#include "harness/report/report_tables.h"
#include "harness/report/results_io.h"
#include "harness/report/stats.h"

namespace pevlm {
namespace {

std::string decoder_of(const std::vector<nlohmann::json>& rows, const ConfigInfo& cfg) {
  for (const auto& r : rows)
    if (row_in_config(r, cfg)) return r.value("decoder_label", std::string("greedy"));
  return "greedy";
}

// sample id -> (correct, cluster) of the configuration's scored rows.
std::map<std::string, std::pair<bool, std::string>> scored_by_sample(const std::vector<nlohmann::json>& rows,
                                                                     const ConfigInfo& cfg) {
  std::map<std::string, std::pair<bool, std::string>> out;
  for (const auto& r : rows)
    if (row_in_config(r, cfg) && !row_failed(r))
      out[r.at("sample_id").get<std::string>()] = {row_correct(r), row_cluster(r)};
  return out;
}

// Mean share of the visual tokens the LLM saw (tokens_after / tokens_before of the reduction record), in %;
// 100 without a reduction; null when no row records it.
nlohmann::json visual_tokens_kept(const std::vector<nlohmann::json>& rows, const ConfigInfo& cfg) {
  if (cfg.reduction == "none") return 100.0;
  double sum = 0;
  int64_t n = 0;
  for (const auto& r : rows) {
    if (!row_in_config(r, cfg) || row_failed(r) || !r["reduction"].contains("tokens_after")) continue;
    const double before = r["reduction"]["tokens_before"].value("visual", 0.0);
    if (before <= 0) continue;
    sum += r["reduction"]["tokens_after"].value("visual", 0.0) / before;
    ++n;
  }
  return n == 0 ? nlohmann::json(nullptr) : nlohmann::json(100.0 * sum / double(n));
}

}  // namespace

nlohmann::json paired_vs_full_table(const std::vector<nlohmann::json>& rows, const StatsOptions& options) {
  const std::vector<ConfigInfo> configs = list_configs(rows);
  std::vector<nlohmann::json> out;
  for (const ConfigInfo& cfg : configs) {
    // The baseline: full attention on the whole prompt (a token reduction under full attention is compared too).
    const auto is_baseline = [&](const ConfigInfo& c) { return c.method == "full" && c.reduction == "none"; };
    if (is_baseline(cfg)) continue;
    const std::string decoder = decoder_of(rows, cfg);
    const auto base = std::find_if(configs.begin(), configs.end(), [&](const ConfigInfo& c) {
      return is_baseline(c) && c.model == cfg.model && decoder_of(rows, c) == decoder;
    });
    if (base == configs.end()) continue;
    const auto mine = scored_by_sample(rows, cfg);
    const auto full = scored_by_sample(rows, *base);
    std::vector<double> d;
    std::vector<std::string> clusters;
    int64_t right_to_wrong = 0, wrong_to_right = 0, mine_correct = 0, full_correct = 0;
    for (const auto& [sample, m] : mine) {
      const auto f = full.find(sample);
      if (f == full.end()) continue;
      d.push_back(double(m.first) - double(f->second.first));
      clusters.push_back(f->second.second);
      right_to_wrong += f->second.first && !m.first;
      wrong_to_right += !f->second.first && m.first;
      mine_correct += m.first;
      full_correct += f->second.first;
    }
    nlohmann::json o = {{"model", cfg.model}, {"label", cfg.label}, {"baseline", base->label}, {"pairs", d.size()},
                        {"right_to_wrong", right_to_wrong}, {"wrong_to_right", wrong_to_right},
                        {"mcnemar_p", stats::mcnemar_exact_p(right_to_wrong, wrong_to_right)}};
    const stats::ClusteredMean m = stats::clustered_mean(d, clusters);
    const auto points = [](double v) { return nlohmann::json(100.0 * v); };
    const auto clipped = [](double v) { return nlohmann::json(std::clamp(100.0 * v, -100.0, 100.0)); };
    o["clusters"] = m.clusters;
    o["visual_tokens_kept"] = visual_tokens_kept(rows, cfg);
    o["accuracy"] = d.empty() ? nlohmann::json(nullptr) : points(double(mine_correct) / double(d.size()));
    o["baseline_accuracy"] = d.empty() ? nlohmann::json(nullptr) : points(double(full_correct) / double(d.size()));
    o["diff"] = d.empty() ? nlohmann::json(nullptr) : points(m.mean);
    o["diff_se"] = m.se ? points(*m.se) : nlohmann::json(nullptr);
    o["diff_ci_low"] = m.ci_low ? clipped(*m.ci_low) : nlohmann::json(nullptr);
    o["diff_ci_high"] = m.ci_high ? clipped(*m.ci_high) : nlohmann::json(nullptr);
    o["diff_ci"] = interval_text(o["diff_ci_low"], o["diff_ci_high"]);
    char p_text[32];
    std::snprintf(p_text, sizeof(p_text), "%.3g", o["mcnemar_p"].get<double>());
    o["mcnemar_p_text"] = p_text;
    o["flips"] = std::to_string(right_to_wrong) + " / " + std::to_string(wrong_to_right);
    if (!d.empty()) {
      const stats::BootstrapInterval b =
          stats::cluster_bootstrap(d, clusters, options.bootstrap_resamples, options.bootstrap_seed);
      o["bootstrap"] = {{"low", points(b.low)}, {"high", points(b.high)}, {"resamples", b.resamples}, {"seed", b.seed}};
    } else {
      o["bootstrap"] = nullptr;
    }
    out.push_back(std::move(o));
  }
  // The visual-token column only when some configuration reduces tokens (reports without stay as they were).
  const bool any_reduction = std::any_of(configs.begin(), configs.end(), [&](const ConfigInfo& c) {
    return c.reduction != "none";
  });
  if (any_reduction)
    return table_json({{"model", "model"}, {"label", "configuration"}, {"baseline", "vs"}, {"pairs", "pairs"},
                       {"visual_tokens_kept", "visual tokens %", 1}, {"accuracy", "accuracy %", 2},
                       {"baseline_accuracy", "full %", 2}, {"diff", "diff (points)", 2},
                       {"diff_ci", "95 % CI (video clusters)"}, {"flips", "right->wrong / wrong->right"},
                       {"mcnemar_p_text", "McNemar exact p"}},
                      out);
  return table_json({{"model", "model"}, {"label", "configuration"}, {"baseline", "vs"}, {"pairs", "pairs"},
                     {"accuracy", "accuracy %", 2}, {"baseline_accuracy", "full %", 2}, {"diff", "diff (points)", 2},
                     {"diff_ci", "95 % CI (video clusters)"}, {"flips", "right->wrong / wrong->right"},
                     {"mcnemar_p_text", "McNemar exact p"}},
                    out);
}

}  // namespace pevlm
