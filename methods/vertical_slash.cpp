// MInference's vertical-slash pattern (Jiang et al., NeurIPS 2024; microsoft/MInference): a
// data-dependent method. Static plan: full causal attention, full-attention positions; inside each
// layer's prefill its estimator (methods/sparse/vertical_slash_estimator.cpp) keeps per head the top
// key columns and diagonals seen by the last `last_q` queries. Defaults: the reference's fallback
// pattern ("vertical_and_slash", 1000, 6096) and last_q = 64; the first 30 columns and the 100
// diagonals nearest the main one are always kept.
#include <stdexcept>

#include "methods/method_registry.h"

namespace pevlm {

MethodSpec vertical_slash_method() {
  return MethodSpec{
      "vertical_slash",
      "query-aware sparse prefill (MInference): top key columns and diagonals estimated from the last queries, per head",
      {
          {"vertical_size", ParamSpec::Kind::Int, 1000, {}, "", "key columns kept (reference default 1000, min 30)"},
          {"slash_size", ParamSpec::Kind::Int, 6096, {}, "", "diagonals kept (reference default 6096; >= 100 here)"},
          {"last_q", ParamSpec::Kind::Int, 64, {}, "", "queries at the end that estimate the pattern (reference: 64)"},
      },
      [](const TokenLayout& layout, const nlohmann::json& p) {
        const int64_t v = p["vertical_size"].get<int64_t>(), s = p["slash_size"].get<int64_t>(),
                      q = p["last_q"].get<int64_t>();
        // Below 100 the reference's topk chooses among the 100 always-kept (+inf) diagonals in an
        // unspecified order and may drop the main diagonal (rows with no key): refuse it.
        if (s < 100)
          throw std::invalid_argument("method 'vertical_slash': slash_size must be >= 100 (the always-kept local diagonals), got " +
                                      std::to_string(s));
        if (v < 1 || q < 1 || q > 64)
          throw std::invalid_argument("method 'vertical_slash': vertical_size must be >= 1 and last_q in [1, 64] (the reference's "
                                      "LAST_Q_MASK is 64 x 64)");
        return make_full_plan(layout);  // the estimator decides per layer (data_dependent below)
      },
      /*data_dependent=*/true};
}

}  // namespace pevlm
