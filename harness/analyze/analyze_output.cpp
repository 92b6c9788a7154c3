#include "harness/analyze/analyze_output.h"

#include <sstream>

#include "harness/analyze/analysis_tables.h"
#include "harness/analyze/sink_chooser.h"
#include "harness/config_io.h"
#include "harness/provenance.h"
#include "harness/table.h"

namespace pevlm {
namespace {

const char* kMassRule =
    "Mass of a span = the attention weight the analysed queries put on its keys, from per-segment "
    "log-sum-exp of the plan's visible logits (attention/span_mass.h: never an L x L matrix; APE's "
    "temperature/scale rule included), summed over the span's keys, averaged over the query set's rows "
    "and over query heads. 'frames' = the frame masses renormalised to sum 1 (the paper's Figure 1, bottom "
    "row). Query sets: 'question' = every token of the question block; 'generated' = the first generated "
    "token (greedy), attending as decoding does.";

std::vector<Column> divergence_columns() {
  return {{"label", "label"},         {"method", "method"},       {"params.sink_frames", "sink_frames"},
          {"params.block_frames", "block_frames"}, {"params.positions", "positions"}, {"query_set", "query_set"},
          {"layer", "layer"},         {"samples", "samples"},     {"kl_frames", "kl_frames"},
          {"js_frames", "js_frames"}, {"tv_frames", "tv_frames"}, {"kl_spans", "kl_spans"},
          {"js_spans", "js_spans"}, {"tv_spans", "tv_spans"}};
}

std::vector<Column> mass_columns() {
  return {{"label", "label"}, {"method", "method"}, {"params.sink_frames", "sink_frames"}, {"params.block_frames", "block_frames"},
          {"params.positions", "positions"}, {"query_set", "query_set"}, {"layer", "layer"}, {"span", "span"},
          {"kind", "kind"}, {"frame_index", "frame_index"}, {"mass", "mass", 8}, {"frame_share", "frame_share", 8},
          {"samples", "samples"}};
}

std::string markdown(const nlohmann::json& prov, const AnalyzeConfig& c, const AnalyzeSummary& s,
                     const std::vector<nlohmann::json>& div, const nlohmann::json& sink, const std::vector<std::string>& errors) {
  std::ostringstream md;
  md << "# Where attention goes (pevlm analyze)\n\n"
     << "- commit: " << prov["commit"].get<std::string>() << "\n- machine: " << prov["machine"].dump()
     << "\n- versions: " << prov["versions"].dump() << "\n- UTC time: " << prov["utc_time"].get<std::string>()
     << "\n- queries: " << c.queries.name() << "; layers: "
     << (c.layers.empty() ? std::string("all") : nlohmann::json(c.layers).dump()) << "\n- samples: " << s.samples
     << ", records: " << s.records << ", errors: " << s.errors << ", max |sum of masses - 1|: " << s.max_sum_error
     << "\n- peak host memory: " << s.peak_host_mib << " MiB" << (s.peak_device_mib >= 0 ? ", peak device memory: " +
                                                                      std::to_string(s.peak_device_mib) + " MiB" : "")
     << ", time: " << s.seconds << " s\n\n"
     << kMassRule << "\n\n## Divergence from full attention\n\n" << divergence_markdown(div) << "\n";
  if (!sink.is_null()) md << "## Suggested sink\n\n" << sink_markdown(sink) << "\n";
  if (!errors.empty()) {
    md << "## Errors\n\n";
    for (const auto& e : errors) md << "- " << e << "\n";
    md << "\n";
  }
  md << "## Plots\n\nDrawn from mass.csv and divergence.csv by `scripts/plot_analysis.py <this folder>` (PNG, with an "
        "SVG of the same name beside each):\n\n";
  for (const auto& img : analysis_plot_images()) md << "![" << img << "](" << img << ")\n";
  return md.str();
}

}  // namespace

const std::vector<std::string>& analysis_plot_images() {
  static const std::vector<std::string> names = {"mass_per_frame.png", "layer_frame_heatmap.png", "divergence_vs_sink.png",
                                                 "mass_per_span.png"};
  return names;
}

void write_analysis_outputs(const std::vector<AnalysisRecord>& records, const AnalyzeConfig& c, const AnalyzeOptions& o,
                            const AnalyzeSummary& s, const std::vector<std::string>& errors) {
  nlohmann::json prov = provenance();
  prov["config"] = c.resolved;
  write_text_file(o.out / "config.resolved.json", c.resolved.dump(2) + "\n");
  std::string jsonl;
  for (const AnalysisRecord& r : records)
    for (const nlohmann::json& row : record_rows(r, c.per_head, prov)) jsonl += row.dump() + "\n";
  write_text_file(o.out / "analysis.jsonl", jsonl);
  const std::vector<nlohmann::json> div = divergence_rows(records);
  write_text_file(o.out / "divergence.json", nlohmann::json{{"provenance", prov}, {"rows", div}}.dump(1) + "\n");
  write_text_file(o.out / "divergence.csv", to_csv(divergence_columns(), div));
  write_text_file(o.out / "mass.csv", to_csv(mass_columns(), mass_rows(records)));
  nlohmann::json sink;
  if (o.suggest_sink) {
    sink = suggest_sink(records, c.sink_rule);
    write_text_file(o.out / "sink.json", nlohmann::json{{"provenance", prov}, {"suggestion", sink}}.dump(1) + "\n");
    write_text_file(o.out / "sink.md", sink_markdown(sink));
  }
  const nlohmann::json summary = {{"provenance", prov},
                                  {"samples", s.samples},
                                  {"records", s.records},
                                  {"errors", errors},
                                  {"max_sum_error", s.max_sum_error},
                                  {"peak_host_mib", s.peak_host_mib},
                                  {"peak_device_mib", s.peak_device_mib},
                                  {"seconds", s.seconds},
                                  {"baseline", o.baseline}};
  write_text_file(o.out / "summary.json", summary.dump(1) + "\n");
  write_text_file(o.out / "analysis.md", markdown(prov, c, s, div, sink, errors));
}

}  // namespace pevlm
