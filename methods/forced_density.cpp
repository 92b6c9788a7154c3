// A speed instrument, not an accuracy method (issue 25): a data-dependent plan whose "estimator"
// draws, per head and query block, the first and diagonal blocks plus random other causal blocks
// up to `density` of them (make_forced_density_plan; no estimator work). `pevlm speed` sweeps it
// (10-90 %) to measure the sparse executor's speedup against its FLOP-ratio limit.
#include <stdexcept>

#include "methods/method_registry.h"

namespace pevlm {

MethodSpec forced_density_method() {
  return MethodSpec{
      "forced_density",
      "speed instrument: random per-head block-sparse prefill keeping `density` of the causal key blocks",
      {
          {"density", ParamSpec::Kind::Double, 0.5, {}, "", "fraction of causal key blocks kept per query block"},
          {"block_tokens", ParamSpec::Kind::Int, 128, {}, "", "block size in tokens"},
          {"seed", ParamSpec::Kind::Int, 0, {}, "", "random draw of the kept blocks"},
      },
      [](const TokenLayout& layout, const nlohmann::json& p) {
        const double d = p["density"].get<double>();
        if (!(d > 0.0 && d <= 1.0))
          throw std::invalid_argument("method 'forced_density': density must be in (0, 1], got " + std::to_string(d));
        if (p["block_tokens"].get<int64_t>() <= 0) throw std::invalid_argument("method 'forced_density': block_tokens must be positive");
        return make_full_plan(layout);  // the estimator decides per layer (data_dependent below)
      },
      /*data_dependent=*/true};
}

}  // namespace pevlm
