// Parameter validation, sweeps and labels; see param_spec.h.
#include "methods/param_spec.h"

#include <cmath>
#include <stdexcept>

namespace pevlm {

std::string join_names(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& x : names) s += (s.empty() ? "" : ", ") + x;
  return s;
}

nlohmann::json check_param_value(const std::string& owner, const ParamSpec& p, const nlohmann::json& v) {
  const std::string where = owner + " parameter '" + p.name + "'";
  switch (p.kind) {
    case ParamSpec::Kind::IntOrChoice:
      if (v.is_string()) {
        for (const auto& c : p.choices)
          if (c == v.get<std::string>()) return v;
        throw std::invalid_argument(where + ": expected an integer or one of {" + join_names(p.choices) + "}, got " + v.dump());
      }
      [[fallthrough]];
    case ParamSpec::Kind::Int: {
      if (v.is_number_integer()) return v;
      // 4.0 is accepted as 4; the range check comes first: converting 4.1e89 to int64 is undefined
      // behaviour (found by fuzz_config_yaml).
      const double d = v.is_number_float() ? v.get<double>() : 0.5;
      if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.0e18) return static_cast<int64_t>(d);
      throw std::invalid_argument(where + ": expected an integer, got " + v.dump());
    }
    case ParamSpec::Kind::Double:
      if (v.is_number()) return v.get<double>();
      throw std::invalid_argument(where + ": expected a number, got " + v.dump());
    case ParamSpec::Kind::Bool:
      if (v.is_boolean()) return v;
      throw std::invalid_argument(where + ": expected true or false, got " + v.dump());
    case ParamSpec::Kind::Choice:
      if (v.is_string())
        for (const auto& c : p.choices)
          if (c == v.get<std::string>()) return v;
      throw std::invalid_argument(where + ": expected one of {" + join_names(p.choices) + "}, got " + v.dump());
    case ParamSpec::Kind::Text:
      if (v.is_string() && !v.get<std::string>().empty()) return v;
      throw std::invalid_argument(where + ": expected a non-empty string, got " + v.dump());
  }
  return v;
}

const ParamSpec& find_param(const std::string& owner, const std::vector<ParamSpec>& params, const std::string& key) {
  for (const auto& p : params)
    if (p.name == key) return p;
  std::vector<std::string> valid;
  for (const auto& p : params) valid.push_back(p.name);
  throw std::invalid_argument(owner + " has no parameter '" + key + "'; valid parameters: " +
                              (valid.empty() ? std::string("(none)") : join_names(valid)));
}

std::vector<nlohmann::json> expand_sweep(const nlohmann::json& entry, const std::string& what) {
  std::vector<nlohmann::json> partial = {nlohmann::json::object()};
  for (auto it = entry.begin(); it != entry.end(); ++it) {
    std::vector<nlohmann::json> values;
    if (it.value().is_array()) {
      if (it.value().empty()) throw std::invalid_argument(what + " parameter '" + it.key() + "': empty sweep list");
      values.assign(it.value().begin(), it.value().end());
    } else {
      values = {it.value()};
    }
    std::vector<nlohmann::json> next;
    for (const auto& p : partial)
      for (const auto& v : values) {
        nlohmann::json q = p;
        q[it.key()] = v;
        next.push_back(q);
      }
    partial = std::move(next);
  }
  return partial;
}

std::string config_label(const std::string& name, const std::vector<ParamSpec>& specs, const nlohmann::json& params) {
  if (params.empty()) return name;
  std::string s = name + "(";
  bool first = true;
  for (const auto& p : specs) {
    if (!params.contains(p.name)) continue;
    const auto& v = params[p.name];
    s += (first ? "" : ",") + p.name + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
    first = false;
  }
  return s + ")";
}

}  // namespace pevlm
