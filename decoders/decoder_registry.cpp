#include "decoders/decoder_registry.h"

#include <set>
#include <stdexcept>

namespace pevlm {
namespace {

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

nlohmann::json check_value(const DecoderSpec& d, const ParamSpec& p, const nlohmann::json& v) {
  const std::string where = "decoder '" + d.name + "' parameter '" + p.name + "'";
  switch (p.kind) {
    case ParamSpec::Kind::Int:
      if (v.is_number_integer()) return v;
      if (v.is_number_float() && v.get<double>() == double(v.get<int64_t>())) return v.get<int64_t>();
      throw std::invalid_argument(where + ": expected an integer, got " + v.dump());
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
      throw std::invalid_argument(where + ": expected one of {" + join(p.choices) + "}, got " + v.dump());
  }
  return v;
}

}  // namespace

const std::vector<DecoderSpec>& decoder_specs() {
  static const std::vector<DecoderSpec> specs = {greedy_decoder(), std_decoder()};
  return specs;
}

std::vector<std::string> decoder_names() {
  std::vector<std::string> names;
  for (const auto& d : decoder_specs()) names.push_back(d.name);
  return names;
}

const DecoderSpec& find_decoder(const std::string& name) {
  for (const auto& d : decoder_specs())
    if (d.name == name) return d;
  throw std::invalid_argument("unknown decoder '" + name + "'; valid decoders: " + join(decoder_names()));
}

std::string DecoderConfig::label() const {
  std::string s = name;
  if (params.empty()) return s;
  s += "(";
  bool first = true;
  for (const auto& p : find_decoder(name).params) {  // spec order, so labels are stable
    if (!params.contains(p.name)) continue;
    const auto& v = params[p.name];
    s += (first ? "" : ",") + p.name + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
    first = false;
  }
  return s + ")";
}

nlohmann::json DecoderConfig::to_json() const {
  nlohmann::json j = {{"name", name}};
  for (auto it = params.begin(); it != params.end(); ++it) j[it.key()] = it.value();
  return j;
}

bool DecoderConfig::speculative() const { return find_decoder(name).speculative; }

DecoderConfig resolve_decoder(const nlohmann::json& entry) {
  if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string())
    throw std::invalid_argument("decoder entry must be a mapping with a 'name' (one of: " + join(decoder_names()) +
                                "), got " + entry.dump());
  const DecoderSpec& d = find_decoder(entry["name"].get<std::string>());
  std::vector<std::string> valid;
  for (const auto& p : d.params) valid.push_back(p.name);
  DecoderConfig cfg{d.name, nlohmann::json::object()};
  for (auto it = entry.begin(); it != entry.end(); ++it) {
    if (it.key() == "name") continue;
    const ParamSpec* spec = nullptr;
    for (const auto& p : d.params)
      if (p.name == it.key()) spec = &p;
    if (!spec)
      throw std::invalid_argument("decoder '" + d.name + "' has no parameter '" + it.key() + "'; valid parameters: " +
                                  (valid.empty() ? std::string("(none)") : join(valid)));
    cfg.params[spec->name] = check_value(d, *spec, it.value());
  }
  for (const auto& p : d.params)
    if (!cfg.params.contains(p.name) && !p.default_value.is_null()) cfg.params[p.name] = p.default_value;
  if (d.validate) d.validate(cfg.params);
  return cfg;
}

std::vector<DecoderConfig> expand_decoders(const nlohmann::json& value) {
  if (value.is_null()) return {DecoderConfig{}};
  const nlohmann::json entries = value.is_array() ? value : nlohmann::json::array({value});
  if (entries.empty()) throw std::invalid_argument("'decoder' is an empty list; give at least one (e.g. {name: greedy})");
  std::vector<DecoderConfig> out;
  std::set<std::string> seen;
  for (const auto& entry : entries) {
    if (!entry.is_object())
      throw std::invalid_argument("decoder entry must be a mapping with a 'name' (one of: " + join(decoder_names()) +
                                  "), got " + entry.dump());
    std::vector<nlohmann::json> partial = {nlohmann::json::object()};
    for (auto it = entry.begin(); it != entry.end(); ++it) {
      std::vector<nlohmann::json> values;
      if (it.value().is_array()) {
        if (it.value().empty()) throw std::invalid_argument("decoder parameter '" + it.key() + "': empty sweep list");
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
    for (const auto& p : partial) {
      DecoderConfig cfg = resolve_decoder(p);
      if (seen.insert(cfg.label()).second) out.push_back(cfg);
    }
  }
  return out;
}

std::string row_label(const MethodConfig& method, const DecoderConfig& decoder) {
  return decoder.is_greedy() ? method.label() : method.label() + "+" + decoder.label();
}

}  // namespace pevlm
