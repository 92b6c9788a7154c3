#include "harness/report/latency_caps.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "harness/report/accuracy.h"
#include "harness/report/results_io.h"

namespace pevlm {

LatencyMode parse_latency_mode(const std::string& text) {
  if (text == "model") return LatencyMode::Model;
  if (text == "with_decode_video") return LatencyMode::WithDecodeVideo;
  throw std::invalid_argument("--latency: expected 'model' or 'with_decode_video', got '" + text + "'");
}

std::string latency_mode_name(LatencyMode mode) { return mode == LatencyMode::Model ? "model" : "with_decode_video"; }

std::vector<std::string> latency_parts(LatencyMode mode) {
  std::vector<std::string> parts = {"preprocess", "vision", "prefill_attention", "prefill_other", "decode"};
  if (mode == LatencyMode::WithDecodeVideo) parts.insert(parts.begin(), "decode_video");
  return parts;
}

double row_latency_ms(const nlohmann::json& row, LatencyMode mode) {
  const std::string key = row.value("key", std::string("?"));
  if (!row.contains("timings_ms") || !row["timings_ms"].is_object())
    throw std::runtime_error("result row '" + key + "': missing object 'timings_ms' needed for latency caps");
  double sum = 0;
  for (const std::string& part : latency_parts(mode)) {
    const auto& t = row["timings_ms"];
    if (!t.contains(part) || !t[part].is_number())
      throw std::runtime_error("result row '" + key + "': timings_ms." + part + " missing or not a number (latency mode " +
                               latency_mode_name(mode) + ")");
    sum += t[part].get<double>();
  }
  return sum;
}

std::vector<double> parse_caps(const std::string& text) {
  std::vector<double> caps;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    size_t used = 0;
    double v = 0;
    try {
      v = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size() || !(v > 0) || !std::isfinite(v))
      throw std::invalid_argument("--caps: '" + item + "' is not a positive number of seconds (e.g. 20,30,40)");
    caps.push_back(v);
  }
  if (caps.empty()) throw std::invalid_argument("--caps: empty list");
  return caps;
}

std::string cap_key(double cap_s) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", cap_s);
  std::string s = buf;
  std::replace(s.begin(), s.end(), '.', 'p');
  return "cap_" + s + "s";
}

std::string cap_title(double cap_s) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "<= %g s", cap_s);
  return buf;
}

CappedTable capped_accuracy_table(const std::vector<nlohmann::json>& rows, std::vector<double> caps_s, const LatencyFn& latency_ms) {
  std::sort(caps_s.begin(), caps_s.end(), std::greater<>());
  caps_s.erase(std::unique(caps_s.begin(), caps_s.end()), caps_s.end());
  CappedTable table;
  table.columns = {{"model", "model"}, {"label", "method"}, {"scored", "scored"}, {"failed", "failed"}, {"no_limit", "no limit", 2}};
  for (double c : caps_s) table.columns.push_back({cap_key(c), cap_title(c), 2});
  table.columns.push_back({"median_latency_s", "median latency s", 2});
  for (const ConfigInfo& cfg : list_configs(rows)) {
    Tally all;
    std::vector<int64_t> within(caps_s.size(), 0);
    std::vector<double> lat_s;
    for (const auto& r : rows) {
      if (!row_in_config(r, cfg)) continue;
      add_to_tally(all, r);
      if (row_failed(r)) continue;
      const double s = latency_ms(r) / 1000.0;
      lat_s.push_back(s);
      if (!row_correct(r)) continue;
      for (size_t i = 0; i < caps_s.size(); ++i)
        if (s <= caps_s[i]) ++within[i];
    }
    nlohmann::json out = {{"model", cfg.model}, {"label", cfg.label}, {"method", cfg.method}, {"scored", all.scored},
                          {"failed", all.failed}, {"no_limit", all.accuracy()}};
    for (size_t i = 0; i < caps_s.size(); ++i) {
      Tally t{all.scored, within[i], all.failed, 0};
      out[cap_key(caps_s[i])] = t.accuracy();
    }
    out["caps_s"] = caps_s;
    if (!lat_s.empty()) {
      std::sort(lat_s.begin(), lat_s.end());
      const size_t n = lat_s.size();
      out["median_latency_s"] = n % 2 ? lat_s[n / 2] : 0.5 * (lat_s[n / 2 - 1] + lat_s[n / 2]);
    } else {
      out["median_latency_s"] = nullptr;
    }
    table.rows.push_back(std::move(out));
  }
  return table;
}

CappedTable capped_accuracy_table(const std::vector<nlohmann::json>& rows, const std::vector<double>& caps_s, LatencyMode mode) {
  return capped_accuracy_table(rows, caps_s, [mode](const nlohmann::json& r) { return row_latency_ms(r, mode); });
}

}  // namespace pevlm
