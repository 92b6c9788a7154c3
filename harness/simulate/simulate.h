// The latency simulator: predicts each result row's model-inference latency on a device profile
// (harness/simulate/cost_model.h) and recomputes Table 2 (accuracy under latency caps) with it;
// and the paper check (Qwen2.5-VL-7B, ~106k tokens, H20) against the PEVLM paper's figures.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/simulate/cost_model.h"
#include "harness/simulate/device_profile.h"

namespace pevlm {

// Per-row predictions: sample_id, label, tokens, predicted_*_s, measured_model_s (when the row has
// timings). Failed rows are skipped (they are not scored).
std::vector<nlohmann::json> simulate_rows(const std::vector<nlohmann::json>& rows, const DeviceProfile& dev);
// Everything `pevlm simulate` writes: inputs, per-sample table, Table 2 with predicted latency.
nlohmann::json simulate_report(const std::vector<nlohmann::json>& rows, const DeviceProfile& dev, const std::vector<double>& caps_s);
std::string simulate_markdown(const nlohmann::json& report);

// Synthetic result rows of the paper's setting: Qwen2.5-VL-7B, 20 system tokens, `grid_steps`
// frame steps of 256 tokens (2 sampled frames each, 1024 vision patches), 60 question tokens,
// one row per method configuration with token counts from the methods' own plans.
std::vector<nlohmann::json> paper_check_rows(int64_t grid_steps = 412);
// Predictions vs the paper (Full in 30-40 s, PEVLM sys+2f/16f < 20 s, LLM speedup in
// 2.58x-3.14x, attention speedup in 7.79x-33.81x) with pass/fail per check.
nlohmann::json paper_check(const DeviceProfile& dev);
std::string paper_check_markdown(const nlohmann::json& check);

}  // namespace pevlm
