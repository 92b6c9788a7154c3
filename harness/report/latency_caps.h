// Latency-capped accuracy (the PEVLM paper's Table 2): a scored sample whose latency exceeds the
// cap counts as wrong. Latency = model inference time of the sample; failed rows stay out of the
// denominator (accuracy over scored samples) and are counted in the "failed" column.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/table.h"

namespace pevlm {

// model: preprocess + vision + prefill_attention + prefill_other + decode (the paper's "model
// inference"); with_decode_video: the same plus decode_video (FFmpeg frame decoding).
enum class LatencyMode { Model, WithDecodeVideo };
LatencyMode parse_latency_mode(const std::string& text);  // "model" | "with_decode_video"
std::string latency_mode_name(LatencyMode mode);
// The timing keys summed by a mode, in order.
std::vector<std::string> latency_parts(LatencyMode mode);

// Latency of a row in ms: the sum of its timings_ms parts. Throws std::runtime_error naming the
// row's key and the missing/non-numeric timing.
double row_latency_ms(const nlohmann::json& row, LatencyMode mode);

// "20,30,40" -> {20, 30, 40} seconds; throws std::invalid_argument on a non-positive or bad value.
std::vector<double> parse_caps(const std::string& text);
// Column key of a cap: 40 -> "cap_40s", 7.5 -> "cap_7p5s" (no dots: table keys are dotted paths).
std::string cap_key(double cap_s);
std::string cap_title(double cap_s);

struct CappedTable {
  std::vector<Column> columns;
  std::vector<nlohmann::json> rows;  // one per (model, label): scored, failed, no_limit, cap_*s, over_*s, median_latency_s
};

using LatencyFn = std::function<double(const nlohmann::json&)>;
// Caps are shown largest first, like the paper (no limit / 40 s / 30 s / 20 s). Latency is only
// asked of scored rows.
CappedTable capped_accuracy_table(const std::vector<nlohmann::json>& rows, std::vector<double> caps_s, const LatencyFn& latency_ms);
CappedTable capped_accuracy_table(const std::vector<nlohmann::json>& rows, const std::vector<double>& caps_s, LatencyMode mode);

}  // namespace pevlm
