#include "decoders/decoder_registry.h"

#include <set>
#include <stdexcept>

namespace pevlm {

const std::vector<DecoderSpec>& decoder_specs() {
  static const std::vector<DecoderSpec> specs = {greedy_decoder(), std_decoder(), speculative_decoder(),
                                                 parallelvlm_decoder()};
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
  throw std::invalid_argument("unknown decoder '" + name + "'; valid decoders: " + join_names(decoder_names()));
}

std::string DecoderConfig::label() const { return config_label(name, find_decoder(name).params, params); }

nlohmann::json DecoderConfig::to_json() const {
  nlohmann::json j = {{"name", name}};
  for (auto it = params.begin(); it != params.end(); ++it) j[it.key()] = it.value();
  return j;
}

bool DecoderConfig::speculative() const { return find_decoder(name).speculative; }

DecoderConfig resolve_decoder(const nlohmann::json& entry) {
  if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string())
    throw std::invalid_argument("decoder entry must be a mapping with a 'name' (one of: " + join_names(decoder_names()) +
                                "), got " + entry.dump());
  const DecoderSpec& d = find_decoder(entry["name"].get<std::string>());
  DecoderConfig cfg{d.name, nlohmann::json::object()};
  for (auto it = entry.begin(); it != entry.end(); ++it) {
    if (it.key() == "name") continue;
    const ParamSpec& spec = find_param("decoder '" + d.name + "'", d.params, it.key());
    cfg.params[spec.name] = check_param_value("decoder '" + d.name + "'", spec, it.value());
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
      throw std::invalid_argument("decoder entry must be a mapping with a 'name' (one of: " + join_names(decoder_names()) +
                                  "), got " + entry.dump());
    for (const auto& p : expand_sweep(entry, "decoder")) {
      DecoderConfig cfg = resolve_decoder(p);
      if (seen.insert(cfg.label()).second) out.push_back(cfg);
    }
  }
  return out;
}

std::string draft_model_of(const DecoderConfig& decoder) {
  return decoder.params.contains("draft_model") ? decoder.params["draft_model"].get<std::string>() : std::string();
}

void require_draft_model(const std::string& decoder, const nlohmann::json& params) {
  if (!params.contains("draft_model"))
    throw std::invalid_argument("decoder '" + decoder +
                                "' needs 'draft_model': the folder of a smaller checkpoint of the same family and tokenizer");
}

void check_gamma(const std::string& decoder, const nlohmann::json& gamma) {
  const int64_t g = gamma.get<int64_t>();
  if (g < 1 || g > 64)
    throw std::invalid_argument("decoder '" + decoder + "' parameter 'gamma': expected 1..64, got " + std::to_string(g));
}

std::string row_label(const MethodConfig& method, const DecoderConfig& decoder) {
  return decoder.is_greedy() ? method.label() : method.label() + "+" + decoder.label();
}

}  // namespace pevlm
