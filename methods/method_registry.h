// Method registry: names -> parameter specs + plan builders. Unknown names and parameters are
// errors that list the valid ones (style.md: no silent fallback). Config lists become sweeps.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "methods/attention_plan.h"
#include "methods/param_spec.h"
#include "methods/parallel_plan.h"
#include "methods/token_layout.h"

namespace pevlm {

// Resolved parameters -> plan. Parameters are validated and defaulted before the call.
using PlanBuilder = std::function<AttentionPlan(const TokenLayout&, const nlohmann::json& params)>;

struct MethodSpec {
  std::string name;
  std::string description;
  std::vector<ParamSpec> params;
  PlanBuilder build;
  // The plan is decided per layer from the data (issue 25: an estimator on each layer's Q/K); build_plan
  // copies this into AttentionPlan::data_dependent. Static methods (the layout decides) leave it false.
  bool data_dependent = false;
};

// One method configuration: a name and its fully resolved parameters.
struct MethodConfig {
  std::string name;
  nlohmann::json params = nlohmann::json::object();
  // "pevlm(sink_frames=16,block_frames=16)": stable, used as the result key.
  std::string label() const;
  nlohmann::json to_json() const;  // {"name": ..., params...}
  bool operator==(const MethodConfig&) const = default;
};

const std::vector<MethodSpec>& method_specs();
std::vector<std::string> method_names();
// Throws std::invalid_argument listing the registered names.
const MethodSpec& find_method(const std::string& name);
// find_method(config.name).data_dependent: known without building a plan (which may fail on a layout).
bool is_data_dependent(const MethodConfig& config);

// Validates one entry {name: ..., key: scalar, ...}, fills defaults, keeps one alternative per group.
MethodConfig resolve_method(const nlohmann::json& entry);
// Expands a list of entries; a list value is a sweep axis and entries expand to the cartesian
// product (in the order the keys appear). Duplicated configurations are dropped (first kept).
std::vector<MethodConfig> expand_methods(const nlohmann::json& entries);
// The plan of a resolved configuration on a layout (validated).
AttentionPlan build_plan(const MethodConfig& config, const TokenLayout& layout);

// Helpers for method files.
UnitSize unit_param(const nlohmann::json& params, const std::string& base);  // base_frames | base_tokens
bool has_unit_param(const nlohmann::json& params, const std::string& base);
bool reuse_requested(const nlohmann::json& params);                            // positions == "reuse"
ParamSpec positions_param(const std::string& default_policy);

// One function per method file.
MethodSpec full_method();
MethodSpec block_attention_method();
MethodSpec ape_method();
MethodSpec star_method();
MethodSpec pevlm_method();
// Data-dependent methods (issue 25): static plan = full attention; estimator in methods/sparse/.
MethodSpec xattention_method();
MethodSpec vertical_slash_method();
MethodSpec forced_density_method();  // speed instrument

}  // namespace pevlm
