// The report's tables, built from result rows (and speed rows) as {"columns", "rows"} objects so
// one value renders to Markdown, CSV and JSON (harness/table.h) and feeds scripts/plot.py.
// Layouts follow the PEVLM paper: Table 1 (model x method, sink/block, accuracy), Table 2
// (latency caps as columns), Figure 4 (attention vs other ms, speedups), Figure 5 (sink/block sweep).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/report/latency_caps.h"
#include "harness/table.h"

namespace pevlm {

nlohmann::json table_json(const std::vector<Column>& columns, const std::vector<nlohmann::json>& rows);
std::vector<Column> table_columns(const nlohmann::json& table);
std::string table_markdown(const nlohmann::json& table);

// "sys+16f", "256 tok", "= block", "-": the sink / prefix / anchor of a configuration.
std::string sink_description(const std::string& method, const nlohmann::json& params);
// "16f", "4096 tok", "-": the context block size of a configuration.
std::string block_description(const std::string& method, const nlohmann::json& params);

// Table 1: model, method, positions, sink, block, accuracy, scored, failed, fallback.
nlohmann::json table1(const std::vector<nlohmann::json>& rows);
// Accuracy per group value, configs as rows, one column per value ("accuracy (scored)").
nlohmann::json group_table(const std::vector<nlohmann::json>& rows, const std::string& by);
// Table 2 from capped_accuracy_table().
nlohmann::json table2(const std::vector<nlohmann::json>& rows, const std::vector<double>& caps_s, const LatencyFn& latency_ms);
// One sink x block accuracy grid per (model, positions) for pevlm configurations (needs >= 2).
std::vector<nlohmann::json> sweep_tables(const std::vector<nlohmann::json>& rows);
// Figure 4 from speed rows: attention ms, other ms, attention and LLM speedups, the paper's range.
nlohmann::json figure4_table(const std::vector<nlohmann::json>& speed_rows);
// Failed samples: sample, model, method, error.
nlohmann::json failures_table(const std::vector<nlohmann::json>& rows);
// Distinct commits, devices, versions, protocols, models, time range found in the rows.
nlohmann::json provenance_summary(const std::vector<nlohmann::json>& rows);

// The paper's Figure 4 ranges (Qwen2.5-VL-7B, ~106k tokens, H20; methods.md).
constexpr double kPaperAttnSpeedupLo = 7.79, kPaperAttnSpeedupHi = 33.81;
constexpr double kPaperLlmSpeedupLo = 2.58, kPaperLlmSpeedupHi = 3.14;

}  // namespace pevlm
