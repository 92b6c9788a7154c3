// The PEVLM paper's reported numbers (../shared/reference/methods.md, "Paper's reported numbers"),
// placed beside measured rows in reports. A configuration matches only when its model and
// parameters are the paper's (e.g. Block-Attention with 4096-token blocks).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace pevlm {

// Table 1 accuracy (%) for (model, method, params): a number, the string "NaN" where the paper
// reports NaN, or null when the paper has no such cell.
nlohmann::json paper_table1_accuracy(const std::string& model, const std::string& method, const nlohmann::json& params);
// Table 2 (Qwen2.5-VL-7B on H20), "none/40/30/20 s" accuracies as text, or "" when not listed.
std::string paper_table2_text(const std::string& model, const std::string& method, const nlohmann::json& params);

}  // namespace pevlm
