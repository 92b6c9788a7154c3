#include "harness/simulate/simulate.h"

#include <map>

#include "harness/report/accuracy.h"
#include "harness/report/latency_caps.h"
#include "harness/report/report_tables.h"
#include "harness/report/results_io.h"

namespace pevlm {

std::vector<nlohmann::json> simulate_rows(const std::vector<nlohmann::json>& rows, const DeviceProfile& dev) {
  std::vector<nlohmann::json> out;
  for (const auto& r : rows) {
    if (row_failed(r)) continue;
    const SampleShape shape = sample_shape_from_row(r);
    const SampleCost c = predict_sample(shape, dev);
    nlohmann::json p = {{"key", r["key"]},
                        {"sample_id", r["sample_id"]},
                        {"model", row_model(r)},
                        {"label", r["label"]},
                        {"tokens", shape.plan.total},
                        // Attended pairs / full causal pairs (issue 25 item 8): the static plan's density from
                        // the row's token counts, a data-dependent method's measured kept density, so
                        // methods can be matched at equal density.
                        {"attention_density", attention_pairs(shape.plan) / causal_pairs(double(shape.plan.total))},
                        {"predicted_vision_s", c.vision_ms / 1e3},
                        {"predicted_attention_s", c.prefill_attention_ms / 1e3},
                        {"predicted_other_s", c.prefill_other_ms / 1e3},
                        {"predicted_decode_s", c.decode_ms / 1e3},
                        {"predicted_total_s", c.total_ms() / 1e3},
                        {"predicted_flops", c.vision_flops + c.prefill_attention_flops + c.prefill_other_flops + c.decode_flops}};
    try {
      p["measured_model_s"] = row_latency_ms(r, LatencyMode::Model) / 1e3;
    } catch (const std::runtime_error&) {
      p["measured_model_s"] = nullptr;  // rows without timings (e.g. synthetic) still get predictions
    }
    out.push_back(std::move(p));
  }
  return out;
}

nlohmann::json simulate_report(const std::vector<nlohmann::json>& rows, const DeviceProfile& dev, const std::vector<double>& caps_s) {
  const std::vector<nlohmann::json> per_sample = simulate_rows(rows, dev);
  std::map<std::string, double> predicted_ms;
  for (const auto& p : per_sample) predicted_ms[p["key"].get<std::string>()] = p["predicted_total_s"].get<double>() * 1e3;
  const nlohmann::json t2 = table2(rows, caps_s, [&](const nlohmann::json& r) { return predicted_ms.at(r["key"].get<std::string>()); });
  const nlohmann::json samples = table_json({{"sample_id", "sample"}, {"label", "method"}, {"tokens", "tokens"},
                                             {"attention_density", "density", 3}, {"predicted_vision_s", "vision s", 2}, {"predicted_attention_s", "attention s", 2},
                                             {"predicted_other_s", "other s", 2}, {"predicted_decode_s", "decode s", 3},
                                             {"predicted_total_s", "predicted s", 2}, {"measured_model_s", "measured s", 2}},
                                            per_sample);
  return {{"device", dev.to_json()},
          {"latency_rule", "predicted latency = vision + LLM prefill (attention + other) + decode on the profile; "
                           "preprocess and video decoding are CPU work and not modelled. A scored sample over the cap counts "
                           "as wrong; failed rows stay out of the denominator."},
          {"caps_s", caps_s},
          {"samples", samples},
          {"table2", t2}};
}

std::string simulate_markdown(const nlohmann::json& rep) {
  std::string md = "# pevlm simulate: predicted latency on " + rep["device"]["name"].get<std::string>() + "\n\n";
  md += "- profile: " + rep["device"].dump() + "\n- " + rep["latency_rule"].get<std::string>() + "\n\n";
  md += "## Table 2 with predicted latency\n\n" + table_markdown(rep["table2"]) + "\n";
  md += "## Per sample\n\n" + table_markdown(rep["samples"]);
  return md;
}

}  // namespace pevlm
