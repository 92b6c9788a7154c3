#include "methods/method_registry.h"

#include <map>
#include <set>
#include <stdexcept>

namespace pevlm {

const std::vector<MethodSpec>& method_specs() {
  static const std::vector<MethodSpec> specs = {full_method(), block_attention_method(), ape_method(), star_method(),
                                                pevlm_method(), xattention_method(), vertical_slash_method(),
                                                forced_density_method()};
  return specs;
}

std::vector<std::string> method_names() {
  std::vector<std::string> names;
  for (const auto& m : method_specs()) names.push_back(m.name);
  return names;
}

const MethodSpec& find_method(const std::string& name) {
  for (const auto& m : method_specs())
    if (m.name == name) return m;
  throw std::invalid_argument("unknown method '" + name + "'; valid methods: " + join_names(method_names()));
}

std::string MethodConfig::label() const { return config_label(name, find_method(name).params, params); }

nlohmann::json MethodConfig::to_json() const {
  nlohmann::json j = {{"name", name}};
  for (auto it = params.begin(); it != params.end(); ++it) j[it.key()] = it.value();
  return j;
}

MethodConfig resolve_method(const nlohmann::json& entry) {
  if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string())
    throw std::invalid_argument("method entry must be a mapping with a 'name' (one of: " + join_names(method_names()) + "), got " +
                                entry.dump());
  const MethodSpec& m = find_method(entry["name"].get<std::string>());
  MethodConfig cfg{m.name, nlohmann::json::object()};
  std::map<std::string, std::string> group_choice;  // group -> chosen parameter
  for (auto it = entry.begin(); it != entry.end(); ++it) {
    if (it.key() == "name") continue;
    const ParamSpec* spec = &find_param("method '" + m.name + "'", m.params, it.key());
    if (!spec->group.empty()) {
      auto [pos, inserted] = group_choice.emplace(spec->group, spec->name);
      if (!inserted)
        throw std::invalid_argument("method '" + m.name + "': '" + pos->second + "' and '" + spec->name +
                                    "' are alternatives for the same size; give one");
    }
    cfg.params[spec->name] = check_param_value("method '" + m.name + "'", *spec, it.value());
  }
  for (const auto& p : m.params) {
    if (cfg.params.contains(p.name) || p.default_value.is_null()) continue;
    if (!p.group.empty() && group_choice.count(p.group)) continue;
    cfg.params[p.name] = p.default_value;
    if (!p.group.empty()) group_choice[p.group] = p.name;
  }
  return cfg;
}

std::vector<MethodConfig> expand_methods(const nlohmann::json& entries) {
  if (!entries.is_array()) throw std::invalid_argument("'methods' must be a list of method entries, got " + entries.dump());
  std::vector<MethodConfig> out;
  std::set<std::string> seen;
  for (const auto& entry : entries) {
    if (!entry.is_object()) throw std::invalid_argument("method entry must be a mapping, got " + entry.dump());
    for (const auto& p : expand_sweep(entry, "method")) {
      MethodConfig cfg = resolve_method(p);
      if (seen.insert(cfg.label()).second) out.push_back(cfg);
    }
  }
  return out;
}

bool is_data_dependent(const MethodConfig& config) { return find_method(config.name).data_dependent; }

AttentionPlan build_plan(const MethodConfig& config, const TokenLayout& layout) {
  layout.validate();
  const MethodSpec& spec = find_method(config.name);
  AttentionPlan plan = spec.build(layout, config.params);
  plan.data_dependent = spec.data_dependent;
  plan.method = config.name;
  plan.params = config.params;
  plan.validate();
  return plan;
}

bool has_unit_param(const nlohmann::json& params, const std::string& base) {
  return params.contains(base + "_frames") || params.contains(base + "_tokens");
}

UnitSize unit_param(const nlohmann::json& params, const std::string& base) {
  if (params.contains(base + "_frames"))
    return UnitSize{UnitSize::Unit::Frames, params[base + "_frames"].get<int64_t>(), base + "_frames"};
  if (params.contains(base + "_tokens"))
    return UnitSize{UnitSize::Unit::Tokens, params[base + "_tokens"].get<int64_t>(), base + "_tokens"};
  throw std::invalid_argument("missing parameter " + base + "_frames or " + base + "_tokens");
}

bool reuse_requested(const nlohmann::json& params) {
  return params.contains("positions") && params["positions"].get<std::string>() == "reuse";
}

ParamSpec positions_param(const std::string& default_policy) {
  return ParamSpec{"positions", ParamSpec::Kind::Choice, default_policy, {"retain", "reuse"}, "",
                   "retain: full-attention positions; reuse: every context block takes the first context block's"};
}

}  // namespace pevlm
