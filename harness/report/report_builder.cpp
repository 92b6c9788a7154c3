#include "harness/report/report_builder.h"

#include <map>
#include <sstream>

#include "harness/report/accuracy.h"
#include "harness/report/benchmark_metrics.h"
#include "harness/report/paired_comparison.h"
#include "harness/report/pareto.h"
#include "harness/report/position_bins.h"
#include "harness/report/protocol_check.h"
#include "harness/report/report_tables.h"
#include "harness/table.h"

namespace pevlm {
namespace {

const char* kRule =
    "Accuracy = correct / scored samples, in percent. A scored sample is a result row without an error; "
    "a row with an error is a failed sample: it is left out of the accuracy, counted in the 'failed' column "
    "and listed under 'Failed samples' (never counted as wrong silently). 'fallback' counts scored answers "
    "whose letter came from the answer parser's fallback.";

std::string join(const nlohmann::json& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : "; ") + (v.is_string() ? v.get<std::string>() : v.dump());
  return out.empty() ? "(none recorded)" : out;
}

std::string latency_rule(LatencyMode mode) {
  std::string parts;
  for (const auto& p : latency_parts(mode)) parts += (parts.empty() ? "" : " + ") + p;
  return "latency per sample = " + parts + " (timings_ms; mode '" + latency_mode_name(mode) +
         "'); a scored sample over the cap counts as wrong; failed samples stay out of the denominator.";
}

// Open-ended rows (caption protocol) have no answer to score: they stay out of every accuracy table.
bool open_ended(const nlohmann::json& r) {
  if (r.value("open_ended", false)) return true;
  return r.contains("protocol") && r["protocol"].is_object() && r["protocol"].value("open_ended", false);
}

// One row per configuration label with a decoder other than greedy or an open-ended protocol: output
// length, decode speed and (speculative decoders) acceptance, speedup vs greedy and losslessness.
nlohmann::json decoder_table(const std::vector<nlohmann::json>& rows) {
  struct Acc {
    std::string model, decoder;
    int64_t ok = 0, failed = 0, lossless = 0, speculative = 0;
    std::map<std::string, std::pair<double, int64_t>> sums;
    void add(const std::string& k, const nlohmann::json& v) {
      if (v.is_number()) sums[k].first += v.get<double>(), sums[k].second += 1;
    }
    nlohmann::json mean(const std::string& k) const {
      auto it = sums.find(k);
      return it == sums.end() || it->second.second == 0 ? nlohmann::json(nullptr) : nlohmann::json(it->second.first / double(it->second.second));
    }
  };
  std::vector<std::string> order;
  std::map<std::string, Acc> acc;
  for (const auto& r : rows) {
    const bool greedy = !r.contains("decoder") || r["decoder"].value("name", std::string("greedy")) == "greedy";
    if (greedy && !open_ended(r)) continue;
    const std::string label = r.at("label").get<std::string>();
    if (!acc.count(label)) order.push_back(label);
    Acc& a = acc[label];
    a.model = r.contains("model") && r["model"].is_object() ? r["model"].value("name", std::string("?")) : "?";
    a.decoder = r.value("decoder_label", std::string("greedy"));
    if (r.contains("error") && !r["error"].is_null()) {
      ++a.failed;
      continue;
    }
    ++a.ok;
    a.add("generated_tokens", r.value("generated_tokens", nlohmann::json()));
    a.add("decode_tokens_per_s", r.value("decode_tokens_per_s", nlohmann::json()));
    if (r.contains("speculative") && r["speculative"].is_object()) {
      const auto& sp = r["speculative"];
      ++a.speculative;
      a.lossless += sp.value("lossless", false) ? 1 : 0;
      for (const char* k : {"acceptance_rate", "mean_accepted_length", "speedup_vs_greedy", "predicted_speedup", "c",
                            "predicted_speedup_parallel", "draft_ms", "verify_ms", "target_idle_ms", "draft_idle_ms"})
        a.add(k, sp.value(k, nlohmann::json()));
    }
  }
  std::vector<nlohmann::json> out;
  for (const auto& label : order) {
    const Acc& a = acc[label];
    out.push_back({{"model", a.model}, {"label", label}, {"decoder", a.decoder}, {"rows", a.ok}, {"failed", a.failed},
                   {"generated_tokens", a.mean("generated_tokens")}, {"decode_tokens_per_s", a.mean("decode_tokens_per_s")},
                   {"acceptance_rate", a.mean("acceptance_rate")}, {"mean_accepted_length", a.mean("mean_accepted_length")},
                   {"speedup_vs_greedy", a.mean("speedup_vs_greedy")}, {"predicted_speedup", a.mean("predicted_speedup")},
                   {"c", a.mean("c")}, {"predicted_speedup_parallel", a.mean("predicted_speedup_parallel")},
                   {"draft_ms", a.mean("draft_ms")}, {"verify_ms", a.mean("verify_ms")},
                   {"target_idle_ms", a.mean("target_idle_ms")}, {"draft_idle_ms", a.mean("draft_idle_ms")},
                   {"lossless", a.speculative ? std::to_string(a.lossless) + "/" + std::to_string(a.speculative) : "-"}});
  }
  return table_json({{"model", "model"}, {"label", "configuration"}, {"decoder", "decoder"}, {"rows", "rows"},
                     {"failed", "failed"}, {"generated_tokens", "mean tokens", 1}, {"decode_tokens_per_s", "decode tok/s", 1},
                     {"acceptance_rate", "acceptance", 3}, {"mean_accepted_length", "mean accepted", 2},
                     {"speedup_vs_greedy", "speedup vs greedy", 2}, {"predicted_speedup", "predicted", 2},
                     {"predicted_speedup_parallel", "predicted (parallel)", 2}, {"c", "c", 2}, {"draft_ms", "draft ms", 1},
                     {"verify_ms", "verify ms", 1}, {"target_idle_ms", "target idle ms", 1}, {"draft_idle_ms", "draft idle ms", 1},
                     {"lossless", "lossless"}},
                    out);
}

}  // namespace

const std::vector<std::string>& known_plot_images() {
  static const std::vector<std::string> names = {"accuracy_vs_cap.png", "accuracy_vs_sink_block.png", "speed_breakdown.png",
                                                 "attention_masks.png", "accuracy_vs_position.png"};
  return names;
}

bool is_pareto_plot_image(const std::string& file) {
  const std::string prefix = "accuracy_vs_prefill_", suffix = ".png";
  return file.size() > prefix.size() + suffix.size() && file.compare(0, prefix.size(), prefix) == 0 &&
         file.compare(file.size() - suffix.size(), suffix.size(), suffix) == 0;
}

nlohmann::json build_report(const ResultSet& results, const ReportOptions& options) {
  std::vector<nlohmann::json> rows;  // scored protocols only: accuracy tables
  for (const auto& r : results.rows)
    if (!open_ended(r)) rows.push_back(r);
  nlohmann::json report;
  report["provenance"] = provenance_summary(results.rows);
  report["benchmark_metrics"] = benchmark_metrics_table(rows);
  report["rule"] = kRule;
  report["latency_mode"] = latency_mode_name(options.latency);
  report["latency_rule"] = latency_rule(options.latency);
  report["caps_s"] = options.caps_s;
  report["warnings"] = results.warnings;
  for (const std::string& w : check_one_protocol_per_column(results.rows, options.allow_mixed_protocols))
    report["warnings"].push_back(w);
  report["table1"] = table1(rows);
  // Issue 24: intervals clustered by video, paired tests against full attention, accuracy vs prefill.
  report["stats_rule"] = cluster_rule(rows, options.stats);
  report["accuracy_ci"] = accuracy_ci_table(rows, options.stats);
  report["paired_vs_full"] = paired_vs_full_table(rows, options.stats);
  report["pareto"] = pareto_groups(rows, "duration_group");
  report["by_duration_group"] = group_table(rows, "duration_group");
  report["by_question_category"] = group_table(rows, "question_category");
  report["by_level"] = group_table(rows, "level");
  const std::vector<nlohmann::json> binned = with_position_bins(rows);  // issue 13: "lost in the middle"
  report["position_rule"] = kPositionRule;
  report["by_position"] = group_table(binned, "position_bin");
  std::vector<nlohmann::json> long_rows;
  for (const char* by : {"", "duration_group", "question_category", "level"})
    for (auto& r : accuracy_rows(rows, by)) long_rows.push_back(std::move(r));
  for (auto& r : accuracy_rows(binned, "position_bin")) long_rows.push_back(std::move(r));
  report["accuracy_long"] = long_rows;
  const LatencyMode mode = options.latency;
  report["table2"] = table2(rows, options.caps_s, [mode](const nlohmann::json& r) { return row_latency_ms(r, mode); });
  report["sweeps"] = sweep_tables(rows);
  report["failures"] = failures_table(results.rows);
  report["decoders"] = decoder_table(results.rows);
  if (!options.speed_rows.empty()) {
    report["figure4"] = figure4_table(options.speed_rows);
    report["figure4"]["source"] = options.speed_source;
  }
  report["plots"] = options.plot_images;
  return report;
}

std::string render_report_body(const nlohmann::json& rep) {
  std::ostringstream md;
  const auto& p = rep["provenance"];
  md << "## Provenance (from the result rows)\n\n"
     << "- rows: " << p["rows"] << " (" << p["samples"] << " samples, " << p["configurations"] << " method configurations)\n"
     << "- models: " << join(p["models"]) << "\n- protocols: " << join(p["protocols"]) << "\n- devices: " << join(p["devices"])
     << "\n- commits: " << join(p["commits"]) << "\n- versions: " << join(p["versions"]) << "\n- UTC time: "
     << p["utc_first"].get<std::string>() << " .. " << p["utc_last"].get<std::string>() << "\n";
  for (const auto& w : rep["warnings"]) md << "- warning: " << w.get<std::string>() << "\n";
  md << "\n" << rep["rule"].get<std::string>() << "\n\n";
  md << "## Table 1: accuracy per method configuration\n\n" << table_markdown(rep["table1"]) << "\n";
  md << "## Accuracy with 95 % confidence intervals\n\n" << rep["stats_rule"].get<std::string>() << "\n\n"
     << table_markdown(rep["accuracy_ci"]) << "\n";
  md << "## Each configuration against full attention (paired, same samples)\n\n"
     << "Pairs are the samples scored in both configurations. diff = accuracy - full accuracy in points, with the "
        "analytic video-clustered 95 % interval of the mean paired difference (report.json: also the cluster "
        "bootstrap). Flips: right->wrong = full right and this configuration wrong; wrong->right the reverse. "
        "McNemar exact p = two-sided binomial test on the flips (statsmodels mcnemar(exact=True)); it treats "
        "samples as independent.\n\n";
  if (rep["paired_vs_full"]["rows"].empty()) md << "No configuration has a full-attention baseline of the same model.\n\n";
  else md << table_markdown(rep["paired_vs_full"]) << "\n";
  if (rep.contains("benchmark_metrics"))
    md << "## Benchmark metrics (each benchmark's own definitions; unparsed answers counted)\n\n"
       << table_markdown(rep["benchmark_metrics"]) << "\n";
  md << "## Accuracy per duration group (accuracy % (scored))\n\n" << table_markdown(rep["by_duration_group"]) << "\n";
  md << "## Accuracy per question category\n\n" << table_markdown(rep["by_question_category"]) << "\n";
  md << "## Accuracy per level\n\n" << table_markdown(rep["by_level"]) << "\n";
  md << "## Accuracy by position of the referred moment\n\n" << rep["position_rule"].get<std::string>() << "\n\n"
     << table_markdown(rep["by_position"]) << "\n";
  md << "## Table 2: accuracy under latency caps\n\n" << rep["latency_rule"].get<std::string>() << "\n\n"
     << table_markdown(rep["table2"]) << "\n";
  for (const auto& s : rep["sweeps"])
    md << "## Sweep: PEVLM accuracy % per sink x block (" << s["model"].get<std::string>() << ", positions "
       << s["positions"].get<std::string>() << ")\n\n"
       << table_markdown(s) << "\n";
  if (rep.contains("figure4"))
    md << "## Figure 4: attention and LLM prefill time per configuration\n\nSpeed rows from "
       << rep["figure4"]["source"].get<std::string>()
       << "; the paper's ranges are Qwen2.5-VL-7B at ~106k tokens on H20 (attention 7.79x-33.81x, LLM 2.58x-3.14x).\n\n"
       << table_markdown(rep["figure4"]) << "\n";
  if (rep.contains("decoders") && !rep["decoders"]["rows"].empty())
    md << "## Decoders and open-ended generation\n\nSpeculative rows compare with greedy decoding of the same sample "
          "and prefill method (lossless = identical tokens); mean accepted = drafts accepted per round, bonus token "
          "excluded; predicted = (1 - a^(gamma+1)) / ((1 - a)(1 + gamma/c)).\n\n"
       << table_markdown(rep["decoders"]) << "\n";
  md << "## Failed samples\n\n";
  if (rep["failures"]["rows"].empty()) md << "None.\n\n";
  else md << table_markdown(rep["failures"]) << "\n";
  if (!rep["plots"].empty()) {
    md << "## Plots\n\n";
    for (const auto& img : rep["plots"]) md << "![" << img.get<std::string>() << "](" << img.get<std::string>() << ")\n";
    md << "\n";
  }
  return md.str();
}

std::string render_report_csv(const nlohmann::json& report) {
  const std::vector<Column> cols = {{"model", "model"},   {"label", "label"},     {"method", "method"}, {"grouping", "grouping"},
                                    {"group", "group"},   {"scored", "scored"},   {"correct", "correct"},
                                    {"failed", "failed"}, {"fallback", "fallback"}, {"accuracy", "accuracy", 4}};
  return to_csv(cols, report["accuracy_long"].get<std::vector<nlohmann::json>>());
}

}  // namespace pevlm
