#include "harness/report/report_tables.h"

#include <algorithm>
#include <map>
#include <set>

#include "harness/report/accuracy.h"
#include "harness/report/paper_numbers.h"
#include "harness/report/results_io.h"

namespace pevlm {
namespace {

std::string num_text(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

bool has_number(const nlohmann::json& params, const char* key) { return params.contains(key) && params[key].is_number(); }

// Column keys are dotted paths in harness/table.h: keep them free of dots.
std::string safe_key(std::string s) {
  std::replace(s.begin(), s.end(), '.', 'p');
  std::replace(s.begin(), s.end(), ' ', '_');
  return s;
}

std::string fmt2(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", v);
  return buf;
}

// Sort key of a sink / block size: frames before tokens, then numerically.
double size_order(const nlohmann::json& params, const char* frames_key, const char* tokens_key) {
  if (has_number(params, frames_key)) return params[frames_key].get<double>();
  if (has_number(params, tokens_key)) return 1e9 + params[tokens_key].get<double>();
  return 2e9;
}

// Data-dependent methods (issue 25): per (model, label), the mean over answered rows of the kept density
// (the row's sparse.density.mean) and of the estimator's share of the prefill attention time.
struct SparseMeans {
  double density = 0, share = 0;
  int n = 0;
};
std::map<std::pair<std::string, std::string>, SparseMeans> sparse_means(const std::vector<nlohmann::json>& rows) {
  std::map<std::pair<std::string, std::string>, SparseMeans> out;
  for (const auto& r : rows) {
    if (row_failed(r) || !r.contains("sparse") || !r["sparse"].is_object()) continue;
    const auto& sp = r["sparse"];
    if (!sp.contains("density") || !sp["density"].is_object()) continue;
    SparseMeans& m = out[{row_model(r), r.value("label", std::string())}];
    m.density += sp["density"].value("mean", 0.0);
    const double attn = r.contains("timings_ms") ? r["timings_ms"].value("prefill_attention", 0.0) : 0.0;
    m.share += attn > 0 ? sp.value("estimator_ms", 0.0) / attn : 0.0;
    ++m.n;
  }
  return out;
}

}  // namespace

nlohmann::json table_json(const std::vector<Column>& columns, const std::vector<nlohmann::json>& rows) {
  nlohmann::json cols = nlohmann::json::array();
  for (const Column& c : columns) cols.push_back({{"key", c.key}, {"title", c.title}, {"precision", c.precision}});
  return {{"columns", cols}, {"rows", rows}};
}

std::vector<Column> table_columns(const nlohmann::json& table) {
  std::vector<Column> cols;
  for (const auto& c : table.at("columns")) cols.push_back({c.at("key"), c.at("title"), c.at("precision")});
  return cols;
}

std::string table_markdown(const nlohmann::json& table) {
  return to_markdown(table_columns(table), table.at("rows").get<std::vector<nlohmann::json>>());
}

std::string sink_description(const std::string& method, const nlohmann::json& p) {
  const std::pair<const char*, const char*> keys = method == "pevlm" ? std::pair{"sink_frames", "sink_tokens"}
                                                   : method == "ape" ? std::pair{"prefix_frames", "prefix_tokens"}
                                                   : method == "star" ? std::pair{"anchor_frames", "anchor_tokens"}
                                                                      : std::pair{"", ""};
  if (!*keys.first) return "-";
  if (has_number(p, keys.first)) return "sys+" + num_text(p[keys.first]) + "f";
  if (has_number(p, keys.second)) return num_text(p[keys.second]) + " tok";
  return method == "star" ? "= block" : "?";
}

std::string block_description(const std::string& method, const nlohmann::json& p) {
  if (method == "full" || method == "vertical_slash") return "-";  // vertical_slash keeps columns and diagonals, no blocks
  if (has_number(p, "block_frames")) return num_text(p["block_frames"]) + "f";
  if (has_number(p, "block_tokens")) return num_text(p["block_tokens"]) + " tok";
  return "?";
}

nlohmann::json table1(const std::vector<nlohmann::json>& rows) {
  std::vector<nlohmann::json> out;
  const std::vector<ConfigInfo> configs = list_configs(rows);
  const auto sparse = sparse_means(rows);
  for (const nlohmann::json& a : accuracy_rows(rows, "")) {
    const ConfigInfo* cfg = nullptr;
    for (const auto& c : configs)
      if (c.model == a["model"] && c.label == a["label"]) cfg = &c;
    nlohmann::json r = a;
    r["positions"] = cfg->params.contains("positions") ? num_text(cfg->params["positions"]) : "-";
    r["sink"] = sink_description(cfg->method, cfg->params);
    r["block"] = block_description(cfg->method, cfg->params);
    // The paper's numbers are for the whole prompt: none beside a token-reduced configuration.
    r["paper_accuracy"] = cfg->reduction == "none" ? paper_table1_accuracy(cfg->model, cfg->method, cfg->params) : nullptr;
    if (auto it = sparse.find({cfg->model, cfg->label}); it != sparse.end() && it->second.n > 0) {
      r["kept_density"] = it->second.density / it->second.n;
      r["estimator_share"] = it->second.share / it->second.n;
    }
    out.push_back(std::move(r));
  }
  std::vector<Column> cols = {{"model", "model"}, {"method", "method"}, {"positions", "positions"}, {"sink", "sink"}, {"block", "block"},
                              {"accuracy", "accuracy %", 2}, {"paper_accuracy", "paper %", 2}, {"scored", "scored"}, {"failed", "failed"},
                              {"fallback", "fallback"}};
  // Only when a data-dependent method ran: its kept density and the estimator's share of attention time.
  if (!sparse.empty()) {
    cols.push_back({"kept_density", "kept density", 3});
    cols.push_back({"estimator_share", "estimator share", 3});
  }
  cols.push_back({"label", "configuration"});
  return table_json(cols, out);
}

nlohmann::json group_table(const std::vector<nlohmann::json>& rows, const std::string& by) {
  std::vector<Column> cols = {{"model", "model"}, {"label", "method"}};
  for (const std::string& g : group_values(rows, by)) cols.push_back({"g_" + safe_key(g), g});
  std::vector<nlohmann::json> out;
  std::map<std::pair<std::string, std::string>, size_t> index;
  for (const nlohmann::json& a : accuracy_rows(rows, by)) {
    const auto k = std::make_pair(a["model"].get<std::string>(), a["label"].get<std::string>());
    if (!index.count(k)) {
      index[k] = out.size();
      out.push_back({{"model", k.first}, {"label", k.second}});
    }
    const std::string acc = a["accuracy"].is_null() ? "-" : fmt2(a["accuracy"].get<double>());
    std::string cell = acc + " (" + a["scored"].dump() + ")";
    if (a["failed"].get<int64_t>() > 0) cell += " +" + a["failed"].dump() + " failed";
    out[index[k]]["g_" + safe_key(a["group"].get<std::string>())] = cell;
  }
  return table_json(cols, out);
}

nlohmann::json table2(const std::vector<nlohmann::json>& rows, const std::vector<double>& caps_s, const LatencyFn& latency_ms) {
  CappedTable t = capped_accuracy_table(rows, caps_s, latency_ms);
  // The paper's figures (Qwen2.5-VL-7B on H20) beside the rows it lists.
  const std::vector<ConfigInfo> configs = list_configs(rows);
  for (size_t i = 0; i < t.rows.size(); ++i)
    t.rows[i]["paper"] = configs[i].reduction == "none"
                             ? paper_table2_text(configs[i].model, configs[i].method, configs[i].params)
                             : std::string();
  t.columns.push_back({"paper", "paper none/40/30/20 s (H20)"});
  return table_json(t.columns, t.rows);
}

std::vector<nlohmann::json> sweep_tables(const std::vector<nlohmann::json>& rows) {
  // Group pevlm configs by (model, positions).
  std::map<std::pair<std::string, std::string>, std::vector<ConfigInfo>> groups;
  for (const ConfigInfo& c : list_configs(rows))
    if (c.method == "pevlm")
      groups[{c.model, c.params.contains("positions") ? num_text(c.params["positions"]) : "-"}].push_back(c);
  std::map<std::pair<std::string, std::string>, nlohmann::json> acc;  // (model,label) -> accuracy row
  for (const nlohmann::json& a : accuracy_rows(rows, "")) acc[{a["model"], a["label"]}] = a;
  std::vector<nlohmann::json> tables;
  for (const auto& [key, configs] : groups) {
    if (configs.size() < 2) continue;
    std::vector<std::pair<double, std::string>> sinks, blocks;
    for (const ConfigInfo& c : configs) {
      sinks.push_back({size_order(c.params, "sink_frames", "sink_tokens"), sink_description("pevlm", c.params)});
      blocks.push_back({size_order(c.params, "block_frames", "block_tokens"), block_description("pevlm", c.params)});
    }
    for (auto* v : {&sinks, &blocks}) {
      std::sort(v->begin(), v->end());
      v->erase(std::unique(v->begin(), v->end()), v->end());
    }
    std::vector<Column> cols = {{"sink", "sink \\ block"}};
    for (const auto& b : blocks) cols.push_back({"b_" + safe_key(b.second), b.second, 2});
    std::vector<nlohmann::json> out;
    for (const auto& s : sinks) {
      nlohmann::json r = {{"sink", s.second}};
      for (const ConfigInfo& c : configs)
        if (sink_description("pevlm", c.params) == s.second)
          r["b_" + safe_key(block_description("pevlm", c.params))] = acc[{c.model, c.label}]["accuracy"];
      out.push_back(std::move(r));
    }
    nlohmann::json t = table_json(cols, out);
    t["model"] = key.first;
    t["positions"] = key.second;
    // Long form for plots: one point per configuration.
    nlohmann::json points = nlohmann::json::array();
    for (const ConfigInfo& c : configs) {
      const auto& a = acc[{c.model, c.label}];
      points.push_back({{"label", c.label}, {"sink", sink_description("pevlm", c.params)}, {"block", block_description("pevlm", c.params)},
                        {"sink_order", size_order(c.params, "sink_frames", "sink_tokens")},
                        {"block_order", size_order(c.params, "block_frames", "block_tokens")},
                        {"accuracy", a["accuracy"]}, {"scored", a["scored"]}});
    }
    t["points"] = points;
    tables.push_back(std::move(t));
  }
  return tables;
}

nlohmann::json figure4_table(const std::vector<nlohmann::json>& speed_rows) {
  std::vector<nlohmann::json> out;
  for (const auto& s : speed_rows) {
    nlohmann::json r = {{"label", s["label"]}, {"method", s.value("method", std::string("?"))}, {"attn_ms", s["attn_ms"]}};
    if (s.contains("tokens")) r["tokens"] = s["tokens"].is_object() ? s["tokens"].value("total", nlohmann::json()) : s["tokens"];
    for (const char* k : {"other_ms", "llm_ms", "speedup_vs_full", "llm_speedup_vs_full", "flop_ratio_vs_full", "device"})
      if (s.contains(k)) r[k] = s[k];
    if (s.contains("sparse") && s["sparse"].is_object()) {  // data-dependent methods (issue 25)
      const auto& sp = s["sparse"];
      if (sp.contains("density") && sp["density"].is_object()) r["kept_density"] = sp["density"].value("mean", nlohmann::json());
      if (sp.contains("estimator_share")) r["estimator_share"] = sp["estimator_share"];
    }
    if (r["method"] != "full") {
      r["paper_attn_speedup"] = fmt2(kPaperAttnSpeedupLo) + "-" + fmt2(kPaperAttnSpeedupHi) + "x";
      r["paper_llm_speedup"] = fmt2(kPaperLlmSpeedupLo) + "-" + fmt2(kPaperLlmSpeedupHi) + "x";
    }
    out.push_back(std::move(r));
  }
  std::vector<Column> cols = {{"label", "method"}, {"tokens", "tokens"}, {"attn_ms", "attention ms", 1}, {"other_ms", "other ms", 1},
                              {"speedup_vs_full", "attention speedup", 2}, {"paper_attn_speedup", "paper (H20)"},
                              {"llm_speedup_vs_full", "LLM speedup", 2}, {"paper_llm_speedup", "paper (H20)"},
                              {"flop_ratio_vs_full", "FLOP ratio", 2}};
  // Only when a data-dependent method ran: its kept density and the estimator's share of attention time.
  bool any_sparse = false;
  for (const auto& r : out) any_sparse |= r.contains("kept_density");
  if (any_sparse) {
    cols.push_back({"kept_density", "kept density", 3});
    cols.push_back({"estimator_share", "estimator share", 3});
  }
  return table_json(cols, out);
}

nlohmann::json failures_table(const std::vector<nlohmann::json>& rows) {
  std::vector<nlohmann::json> out;
  for (const auto& r : rows)
    if (row_failed(r))
      out.push_back({{"sample_id", r["sample_id"]}, {"model", row_model(r)}, {"label", r["label"]},
                     {"error", r["error"].is_string() ? r["error"].get<std::string>() : r["error"].dump()}});
  return table_json({{"sample_id", "sample"}, {"model", "model"}, {"label", "method"}, {"error", "error"}}, out);
}

nlohmann::json provenance_summary(const std::vector<nlohmann::json>& rows) {
  std::set<std::string> commits, devices, versions, protocols, models, samples;
  std::string first, last;
  for (const auto& r : rows) {
    if (r.contains("commit")) commits.insert(num_text(r["commit"]));
    if (r.contains("device")) devices.insert(num_text(r["device"]));
    if (r.contains("versions")) versions.insert(r["versions"].dump());
    if (r.contains("protocol")) protocols.insert(r["protocol"].is_object() && r["protocol"].contains("name") ? num_text(r["protocol"]["name"]) : r["protocol"].dump());
    std::string m = row_model(r);
    if (r.contains("dtype")) m += " (" + num_text(r["dtype"]) + ")";
    else if (r.contains("model") && r["model"].is_object() && r["model"].contains("dtype")) m += " (" + num_text(r["model"]["dtype"]) + ")";
    models.insert(m);
    samples.insert(r["sample_id"].get<std::string>());
    if (r.contains("utc_time") && r["utc_time"].is_string()) {
      const std::string t = r["utc_time"];
      if (first.empty() || t < first) first = t;
      if (last.empty() || t > last) last = t;
    }
  }
  return {{"rows", rows.size()}, {"samples", samples.size()}, {"configurations", list_configs(rows).size()},
          {"commits", commits}, {"devices", devices}, {"versions", versions}, {"protocols", protocols},
          {"models", models}, {"utc_first", first}, {"utc_last", last}};
}

}  // namespace pevlm
