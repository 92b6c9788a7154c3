// Token reductions as a sweep axis beside methods and decoders (issue 26; DESIGN.md "Token reduction as a
// stage"). A config's `reduction:` (one mapping or a list; list values sweep, as `methods:`) names them:
//   none                                  the prompt as built
//   fastv          k (2), r (0.5)         in the LLM after layer k-1 (fastv_stage.h)
//   uniform_frames ratio (0.5) | tokens   before the LLM: whole frames, uniformly (matched_baselines.h)
//   spatial_pool   ratio | tokens (none)  before the LLM: 2x2 average pooling of frames (matched_baselines.h)
//   fastvid        retention, c, tau, ignore, d, p, beta, seed (family defaults)
//                                         before the LLM: DySeg + STPrune + merge (fastvid_stage.h)
// `ratio` is a fraction of the visual tokens, int(N_v * ratio) as FastV counts (ratio 0.5 = FastV r 0.5);
// `tokens` an absolute visual-token budget. Unknown names and parameters are errors listing the valid ones.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "methods/param_spec.h"

namespace pevlm::reduction {

enum class Stage { None, PreLlm, InLlm };
const char* stage_name(Stage stage);

struct ReductionSpec {
  std::string name;
  Stage stage = Stage::None;
  std::string description;
  std::vector<ParamSpec> params;
};

struct ReductionConfig {
  std::string name = "none";
  nlohmann::json params = nlohmann::json::object();
  bool is_none() const { return name == "none"; }
  std::string label() const;       // "fastv(k=2,r=0.5)"
  nlohmann::json to_json() const;  // {"name": ..., params...}
  Stage stage() const;
  bool operator==(const ReductionConfig&) const = default;
};

const std::vector<ReductionSpec>& reduction_specs();
// Throws std::invalid_argument listing the registered names.
const ReductionSpec& find_reduction(const std::string& name);
ReductionConfig resolve_reduction(const nlohmann::json& entry);
// null -> {none}; a mapping or a list of mappings, list values are sweep axes; duplicates dropped.
std::vector<ReductionConfig> expand_reductions(const nlohmann::json& entries);

// The visual-token budget of a `ratio` | `tokens` parameter pair for `visual` visual tokens, or -1 when
// neither is set.
int64_t visual_budget(const nlohmann::json& params, int64_t visual);

}  // namespace pevlm::reduction
