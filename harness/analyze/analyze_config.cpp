#include "harness/analyze/analyze_config.h"

#include <sstream>
#include <stdexcept>

#include "harness/config_io.h"

namespace pevlm {
namespace {

SinkRule parse_sink_rule(const nlohmann::json& j, const std::string& where) {
  SinkRule r;
  if (j.is_null()) return r;
  check_keys(j, {"factor", "coverage", "block_frames"}, where);
  r.factor = j.value("factor", r.factor);
  r.coverage = j.value("coverage", r.coverage);
  if (!(r.factor > 1.0)) throw std::invalid_argument(where + ".factor: expected a number > 1, got " + j["factor"].dump());
  if (!(r.coverage > 0.0 && r.coverage <= 1.0))
    throw std::invalid_argument(where + ".coverage: expected a number in (0, 1], got " + j["coverage"].dump());
  if (j.contains("block_frames")) {
    r.block_frames.clear();
    for (const auto& b : j["block_frames"]) {
      if (!b.is_number_integer() || b.get<int64_t>() < 1)
        throw std::invalid_argument(where + ".block_frames: expected a list of positive integers, got " + j["block_frames"].dump());
      r.block_frames.push_back(b.get<int64_t>());
    }
  }
  return r;
}

SyntheticAnalysis parse_synthetic(const nlohmann::json& j, const std::string& where) {
  check_keys(j, {"tokens", "model", "layers", "dtype", "tokens_per_frame"}, where);
  SyntheticAnalysis s;
  s.tokens = integer_value(j, "tokens", s.tokens, where);
  s.model = j.value("model", s.model);
  s.layers = integer_value(j, "layers", s.layers, where);
  s.dtype = j.value("dtype", s.dtype);
  s.tokens_per_frame = integer_value(j, "tokens_per_frame", s.tokens_per_frame, where);
  if (s.dtype != "fp32" && s.dtype != "bf16") throw std::invalid_argument(where + ".dtype: expected fp32 or bf16, got " + s.dtype);
  if (s.tokens_per_frame < 1 || s.tokens < s.tokens_per_frame + 80)
    throw std::invalid_argument(where + ": tokens must hold 20 system + 60 question tokens and one frame of tokens_per_frame");
  return s;
}

}  // namespace

std::string QuerySelection::name() const { return question && generated ? "both" : (generated ? "generated" : "question"); }

QuerySelection parse_query_selection(const std::string& text, const std::string& where) {
  if (text == "question") return {true, false};
  if (text == "generated") return {false, true};
  if (text == "both") return {true, true};
  throw std::invalid_argument(where + ": unknown query set '" + text + "'; valid: question, generated, both");
}

std::vector<int64_t> parse_layer_list(const nlohmann::json& value, const std::string& where) {
  std::vector<int64_t> layers;
  auto bad = [&]() {
    return std::invalid_argument(where + ": expected 'all' or a list of layer indices (e.g. [0, 3] or 0,3), got " + value.dump());
  };
  if (value.is_null() || (value.is_string() && value.get<std::string>() == "all")) return layers;
  if (value.is_string()) {
    std::stringstream ss(value.get<std::string>());
    for (std::string item; std::getline(ss, item, ',');) {
      try {
        size_t used = 0;
        const long long v = std::stoll(item, &used);
        if (used != item.size() || v < 0) throw bad();
        layers.push_back(v);
      } catch (const std::invalid_argument&) {
        throw bad();
      }
    }
  } else if (value.is_array()) {
    for (const auto& v : value) {
      if (!v.is_number_integer() || v.get<int64_t>() < 0) throw bad();
      layers.push_back(v.get<int64_t>());
    }
  } else if (value.is_number_integer() && value.get<int64_t>() >= 0) {
    layers.push_back(value.get<int64_t>());
  } else {
    throw bad();
  }
  if (layers.empty()) throw bad();
  return layers;
}

AnalyzeConfig parse_analyze_config(const nlohmann::json& doc_in, const std::string& source, const std::filesystem::path& base_dir) {
  if (!doc_in.is_object()) throw std::invalid_argument(source + ": expected a mapping");
  nlohmann::json doc = doc_in;
  AnalyzeConfig c;
  const nlohmann::json analysis = doc.value("analysis", nlohmann::json::object());
  doc.erase("analysis");
  check_keys(analysis, {"queries", "layers", "per_head", "sink_rule"}, source + ".analysis");
  c.queries = parse_query_selection(analysis.value("queries", std::string("question")), source + ".analysis.queries");
  c.layers = parse_layer_list(analysis.value("layers", nlohmann::json("all")), source + ".analysis.layers");
  c.per_head = analysis.value("per_head", false);
  c.sink_rule = parse_sink_rule(analysis.value("sink_rule", nlohmann::json()), source + ".analysis.sink_rule");
  if (doc.contains("synthetic")) {
    check_keys(doc, {"description", "synthetic", "methods", "executor"}, source, {"synthetic", "methods"});
    c.synthetic = parse_synthetic(doc["synthetic"], source + ".synthetic");
    c.methods = expand_methods(doc["methods"]);
    c.executor = doc.value("executor", std::string("auto"));
  } else {
    c.eval = parse_eval_config(doc, source, base_dir);
    c.methods = c.eval->methods;
    c.executor = c.eval->executor;
  }
  // Divergences are measured against full attention: it runs first whether listed or not.
  std::vector<MethodConfig> ordered = {resolve_method({{"name", "full"}})};
  for (const auto& m : c.methods)
    if (m.name != "full") ordered.push_back(m);
  c.methods = ordered;
  c.resolved = c.eval ? c.eval->resolved : doc;
  c.resolved["methods"] = nlohmann::json::array();
  for (const auto& m : c.methods) c.resolved["methods"].push_back(m.to_json());
  c.resolved["analysis"] = {{"queries", c.queries.name()},
                            {"layers", c.layers.empty() ? nlohmann::json("all") : nlohmann::json(c.layers)},
                            {"per_head", c.per_head},
                            {"sink_rule",
                             {{"factor", c.sink_rule.factor}, {"coverage", c.sink_rule.coverage},
                              {"block_frames", c.sink_rule.block_frames}}}};
  if (c.synthetic)
    c.resolved["synthetic"] = {{"tokens", c.synthetic->tokens}, {"model", c.synthetic->model}, {"layers", c.synthetic->layers},
                               {"dtype", c.synthetic->dtype}, {"tokens_per_frame", c.synthetic->tokens_per_frame}};
  return c;
}

}  // namespace pevlm
