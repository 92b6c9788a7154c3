// The reduction registry; see reduction_registry.h.
#include "reduction/reduction_registry.h"

#include "reduction/fastvid_budget.h"

#include <map>
#include <set>
#include <stdexcept>

namespace pevlm::reduction {
namespace {

ParamSpec ratio_param(nlohmann::json def) {
  return {"ratio", ParamSpec::Kind::Double, std::move(def), {}, "budget",
          "visual tokens kept, as a fraction of the visual tokens (int(N_v * ratio))"};
}
ParamSpec tokens_param() {
  return {"tokens", ParamSpec::Kind::Int, nullptr, {}, "budget", "visual tokens kept (an absolute budget)"};
}

}  // namespace

const char* stage_name(Stage stage) {
  switch (stage) {
    case Stage::PreLlm: return "pre_llm";
    case Stage::InLlm: return "in_llm";
    default: return "none";
  }
}

const std::vector<ReductionSpec>& reduction_specs() {
  static const std::vector<ReductionSpec> specs = {
      {"none", Stage::None, "no reduction: the prompt as built", {}},
      {"fastv", Stage::InLlm,
       "FastV (pkunlp-icler/FastV): after layer k-1, keep the int((1-r) N_v) visual tokens the last token attends "
       "to most (mean over heads); layers >= k run on them only",
       {{"k", ParamSpec::Kind::Int, 2, {}, "", "layer from which the dropped tokens leave (scores of layer k-1)"},
        {"r", ParamSpec::Kind::Double, 0.5, {}, "", "dropped fraction of the visual tokens"}}},
      {"uniform_frames", Stage::PreLlm,
       "matched-token baseline: whole frames kept uniformly (np.linspace) within the visual-token budget",
       {ratio_param(0.5), tokens_param()}},
      {"spatial_pool", Stage::PreLlm,
       "matched-token baseline: 2x2 average pooling of each frame's merged-token grid; with a budget, the fewest "
       "frames (uniformly spread) are pooled to fit it",
       {ratio_param(nullptr), tokens_param()}},
      {"fastvid", Stage::PreLlm,
       "FastVID (LunarShen/FastVID): DySeg segments by adjacent frames' similarity, STPrune keeps per segment the "
       "most salient tokens and density-peak context tokens merged with their neighbours; family defaults "
       "(Qwen2.5-VL: retention 0.27, tau 0.84, ignore 0.95; LLaVA-Video: retention 0.10, tau 0.9; c 8, d 0.4, p 4, "
       "beta 0.6)",
       {{"retention", ParamSpec::Kind::Double, nullptr, {}, "", "kept fraction of each frame's tokens"},
        {"c", ParamSpec::Kind::Int, nullptr, {}, "", "DySeg: at least c segments (cuts at the c-1 lowest similarities)"},
        {"tau", ParamSpec::Kind::Double, nullptr, {}, "", "DySeg: also cut where adjacent similarity < tau"},
        {"ignore", ParamSpec::Kind::Double, nullptr, {}, "", "Qwen2.5-VL: sub-segments inside a segment below this"},
        {"d", ParamSpec::Kind::Double, nullptr, {}, "", "STPrune: context share of a segment's budget"},
        {"p", ParamSpec::Kind::Int, nullptr, {}, "", "context tokens on every p-th frame"},
        {"beta", ParamSpec::Kind::Double, nullptr, {}, "", "a merged context token keeps at least beta of itself"},
        {"seed", ParamSpec::Kind::Int, nullptr, {}, "", "seed of the density tie-break noise (default 0)"}}},
  };
  return specs;
}

const ReductionSpec& find_reduction(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& s : reduction_specs()) {
    if (s.name == name) return s;
    names.push_back(s.name);
  }
  throw std::invalid_argument("unknown reduction '" + name + "'; valid reductions: " + join_names(names));
}

Stage ReductionConfig::stage() const { return find_reduction(name).stage; }

std::string ReductionConfig::label() const { return config_label(name, find_reduction(name).params, params); }

nlohmann::json ReductionConfig::to_json() const {
  nlohmann::json j = params;
  j["name"] = name;
  return j;
}

ReductionConfig resolve_reduction(const nlohmann::json& entry) {
  std::vector<std::string> names;
  for (const auto& s : reduction_specs()) names.push_back(s.name);
  if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string())
    throw std::invalid_argument("reduction entry must be a mapping with a 'name' (one of: " + join_names(names) + "), got " +
                                entry.dump());
  const ReductionSpec& spec = find_reduction(entry["name"].get<std::string>());
  const std::string owner = "reduction '" + spec.name + "'";
  ReductionConfig cfg{spec.name, nlohmann::json::object()};
  std::map<std::string, std::string> group_choice;
  for (auto it = entry.begin(); it != entry.end(); ++it) {
    if (it.key() == "name") continue;
    const ParamSpec& p = find_param(owner, spec.params, it.key());
    if (!p.group.empty()) {
      auto [pos, inserted] = group_choice.emplace(p.group, p.name);
      if (!inserted)
        throw std::invalid_argument(owner + ": '" + pos->second + "' and '" + p.name + "' are alternatives; give one");
    }
    cfg.params[p.name] = check_param_value(owner, p, it.value());
  }
  for (const auto& p : spec.params) {
    if (cfg.params.contains(p.name) || p.default_value.is_null()) continue;
    if (!p.group.empty() && group_choice.count(p.group)) continue;
    cfg.params[p.name] = p.default_value;
    if (!p.group.empty()) group_choice[p.group] = p.name;
  }
  if (cfg.params.contains("ratio")) {
    const double r = cfg.params["ratio"].get<double>();
    if (!(r > 0.0 && r <= 1.0)) throw std::invalid_argument(owner + " parameter 'ratio': expected a value in (0, 1], got " + std::to_string(r));
  }
  if (cfg.params.contains("tokens") && cfg.params["tokens"].get<int64_t>() < 1)
    throw std::invalid_argument(owner + " parameter 'tokens': expected >= 1");
  if (cfg.params.contains("r")) {
    const double r = cfg.params["r"].get<double>();
    if (!(r >= 0.0 && r < 1.0)) throw std::invalid_argument(owner + " parameter 'r': expected a value in [0, 1), got " + std::to_string(r));
  }
  if (spec.name == "fastvid") (void)fastvid_params("qwen2_5_vl", cfg.params);  // ranges (the family's defaults later)
  if (cfg.params.contains("k") && cfg.params["k"].get<int64_t>() < 1)
    throw std::invalid_argument(owner + " parameter 'k': expected >= 1 (the scores come from layer k - 1)");
  return cfg;
}

std::vector<ReductionConfig> expand_reductions(const nlohmann::json& entries) {
  if (entries.is_null()) return {ReductionConfig{}};
  const nlohmann::json list = entries.is_array() ? entries : nlohmann::json::array({entries});
  std::vector<ReductionConfig> out;
  std::set<std::string> seen;
  for (const auto& entry : list) {
    if (!entry.is_object()) throw std::invalid_argument("reduction entry must be a mapping, got " + entry.dump());
    for (const auto& e : expand_sweep(entry, "reduction")) {
      ReductionConfig cfg = resolve_reduction(e);
      if (seen.insert(cfg.label()).second) out.push_back(cfg);
    }
  }
  if (out.empty()) throw std::invalid_argument("reduction: an empty list (give {name: none} for no reduction)");
  return out;
}

int64_t visual_budget(const nlohmann::json& params, int64_t visual) {
  if (params.contains("tokens")) return params["tokens"].get<int64_t>();
  if (params.contains("ratio")) return static_cast<int64_t>(double(visual) * params["ratio"].get<double>());
  return -1;
}

}  // namespace pevlm::reduction
