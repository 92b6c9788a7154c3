#include "harness/report/report_builder.h"

#include <sstream>

#include "harness/report/accuracy.h"
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

}  // namespace

const std::vector<std::string>& known_plot_images() {
  static const std::vector<std::string> names = {"accuracy_vs_cap.png", "accuracy_vs_sink_block.png", "speed_breakdown.png",
                                                 "attention_masks.png"};
  return names;
}

nlohmann::json build_report(const ResultSet& results, const ReportOptions& options) {
  const auto& rows = results.rows;
  nlohmann::json report;
  report["provenance"] = provenance_summary(rows);
  report["rule"] = kRule;
  report["latency_mode"] = latency_mode_name(options.latency);
  report["latency_rule"] = latency_rule(options.latency);
  report["caps_s"] = options.caps_s;
  report["warnings"] = results.warnings;
  report["table1"] = table1(rows);
  report["by_duration_group"] = group_table(rows, "duration_group");
  report["by_question_category"] = group_table(rows, "question_category");
  report["by_level"] = group_table(rows, "level");
  std::vector<nlohmann::json> long_rows;
  for (const char* by : {"", "duration_group", "question_category", "level"})
    for (auto& r : accuracy_rows(rows, by)) long_rows.push_back(std::move(r));
  report["accuracy_long"] = long_rows;
  const LatencyMode mode = options.latency;
  report["table2"] = table2(rows, options.caps_s, [mode](const nlohmann::json& r) { return row_latency_ms(r, mode); });
  report["sweeps"] = sweep_tables(rows);
  report["failures"] = failures_table(rows);
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
  md << "## Accuracy per duration group (accuracy % (scored))\n\n" << table_markdown(rep["by_duration_group"]) << "\n";
  md << "## Accuracy per question category\n\n" << table_markdown(rep["by_question_category"]) << "\n";
  md << "## Accuracy per level\n\n" << table_markdown(rep["by_level"]) << "\n";
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
