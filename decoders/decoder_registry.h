// Decoder registry: how tokens are generated after the prefill, a second axis beside the attention
// methods (DESIGN.md "decoders/"). Names -> parameter specs; unknown names and parameters are errors
// that list the valid ones; list values are sweep axes (cartesian product), as for methods.
//   greedy                       today's greedy autoregressive decoding (the default; no parameters)
//   std(k_tokens, gamma, verify) Sparse-to-Dense self-speculation (decoders/std_decode.h)
//   speculative(draft_model, gamma)  vanilla speculative decoding with a draft model (draft_decode.h)
//   parallelvlm(draft_model, alpha, early_layers, gamma, pipeline)  ParallelVLM (pair_prefill.h)
// A result row of (method m, decoder d) has the label m.label() for greedy (the keys and labels rows
// had before decoders existed) and m.label() + "+" + d.label() otherwise.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "methods/method_registry.h"

namespace pevlm {

struct DecoderSpec {
  std::string name;
  std::string description;
  std::vector<ParamSpec> params;  // Int / Double / Bool / Choice, as method parameters (no groups)
  bool speculative = false;       // rows carry speculative metrics and a greedy comparison
  // Range checks on the resolved parameters (std::invalid_argument naming the parameter); may be empty.
  std::function<void(const nlohmann::json& params)> validate;
};

struct DecoderConfig {
  std::string name = "greedy";
  nlohmann::json params = nlohmann::json::object();
  // "greedy", "std(k_tokens=1024,gamma=9,verify=batched)": stable, part of the result key.
  std::string label() const;
  nlohmann::json to_json() const;  // {"name": ..., params...}
  bool is_greedy() const { return name == "greedy"; }
  bool speculative() const;
  bool operator==(const DecoderConfig&) const = default;
};

const std::vector<DecoderSpec>& decoder_specs();
std::vector<std::string> decoder_names();
// Throws std::invalid_argument listing the registered names.
const DecoderSpec& find_decoder(const std::string& name);

// Validates one entry {name: ..., key: scalar, ...} and fills defaults.
DecoderConfig resolve_decoder(const nlohmann::json& entry);
// `decoder:` of a config: null (-> [greedy]), one mapping, or a list of mappings; list values inside a
// mapping are sweep axes. Duplicated configurations are dropped (first kept).
std::vector<DecoderConfig> expand_decoders(const nlohmann::json& value);

// The label / key suffix of a (method, decoder) row (see the header).
std::string row_label(const MethodConfig& method, const DecoderConfig& decoder);

// The draft checkpoint folder of a decoder with a draft model ("" for greedy and std).
std::string draft_model_of(const DecoderConfig& decoder);
// Checks shared by the decoder specs (std::invalid_argument naming decoder and parameter).
void require_draft_model(const std::string& decoder, const nlohmann::json& params);
void check_gamma(const std::string& decoder, const nlohmann::json& gamma);  // 1..64

// One function per decoder file.
DecoderSpec greedy_decoder();
DecoderSpec std_decoder();
DecoderSpec speculative_decoder();
DecoderSpec parallelvlm_decoder();

}  // namespace pevlm
