// Every method configuration against full attention on the same samples (issue 24 item 8): the paired
// accuracy difference with its video-clustered interval, the exact McNemar p-value and the answer flips
// both ways. Rows pair by sample id; a pair needs both rows scored (failed rows stay out).
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "harness/report/clustered_accuracy.h"

namespace pevlm {

// The baseline of a configuration: the first "full" configuration without a token reduction (rows without
// "reduction") of the same model and decoder ("decoder_label", greedy when absent); "visual_tokens_kept" is the
// mean share of visual tokens the LLM saw (reduction/; 100 without a reduction). One object per non-full configuration that has a baseline:
// model, label, baseline, pairs, clusters, accuracy, baseline_accuracy, diff (points), diff_se,
// diff_ci_low / diff_ci_high (analytic, clipped to [-100, 100]), diff_ci (text), bootstrap {low, high,
// resamples, seed}, right_to_wrong (full right, this wrong), wrong_to_right, mcnemar_p; as {"columns", "rows"}.
nlohmann::json paired_vs_full_table(const std::vector<nlohmann::json>& rows, const StatsOptions& options);

}  // namespace pevlm
