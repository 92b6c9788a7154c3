// Typed parameters of a named configuration (attention methods, decoders): their validation, their
// sweep expansion and their stable labels, shared by methods/method_registry and decoders/.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pevlm {

struct ParamSpec {
  // Text: any non-empty string (a path); IntOrChoice: an integer or one of `choices` ("auto" | 4).
  enum class Kind { Int, Double, Bool, Choice, Text, IntOrChoice };
  std::string name;
  Kind kind = Kind::Int;
  nlohmann::json default_value;      // null: no default (an alternative picked by its group)
  std::vector<std::string> choices;  // Kind::Choice, Kind::IntOrChoice
  std::string group;                 // params sharing a group are alternatives (block_frames | block_tokens)
  std::string help;
};

// "a, b, c" (for error messages listing valid names).
std::string join_names(const std::vector<std::string>& names);

// `v` checked (and normalised: 4.0 -> 4 for Int) against the spec's kind; throws std::invalid_argument
// "<owner> parameter '<name>': expected ..., got ..." (owner e.g. "method 'pevlm'").
nlohmann::json check_param_value(const std::string& owner, const ParamSpec& p, const nlohmann::json& v);

// The spec of entry key `key` among `params`, or a std::invalid_argument "<owner> has no parameter 'k';
// valid parameters: ..." ("name" is not a parameter and must be skipped by the caller).
const ParamSpec& find_param(const std::string& owner, const std::vector<ParamSpec>& params, const std::string& key);

// An entry whose list values are sweep axes, expanded to the cartesian product in key order
// ({a: [1, 2], b: 3} -> {a: 1, b: 3}, {a: 2, b: 3}). `what` names the kind in errors ("method").
std::vector<nlohmann::json> expand_sweep(const nlohmann::json& entry, const std::string& what);

// "name(p1=v1,p2=v2)" with parameters in spec order (stable result keys); "name" without parameters.
std::string config_label(const std::string& name, const std::vector<ParamSpec>& specs, const nlohmann::json& params);

}  // namespace pevlm
