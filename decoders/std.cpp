// Sparse-to-Dense self-speculation (Zhang et al., ACL 2025, arXiv 2505.19155): the same model drafts
// `gamma` tokens reading per layer and KV head only the top-`k_tokens` visual tokens (by the question's
// attention at prefill) + every text token, then verifies them densely (one batched pass, or one token
// at a time). Paper defaults: K + text = 1024, gamma = 9. The loop: decoders/std_decode.h.
#include <stdexcept>
#include <string>

#include "decoders/decoder_registry.h"

namespace pevlm {

DecoderSpec std_decoder() {
  using K = ParamSpec::Kind;
  DecoderSpec spec{"std",
                   "Sparse-to-Dense self-speculation: top-K visual KV drafts, dense verify (lossless)",
                   {ParamSpec{"k_tokens", K::Int, 1024, {}, "", "visual tokens kept per layer and KV head for the draft"},
                    ParamSpec{"gamma", K::Int, 9, {}, "", "tokens drafted per round"},
                    ParamSpec{"verify", K::Choice, "batched", {"batched", "sequential"}, "",
                              "batched: one dense pass over the drafts; sequential: one token at a time (bit-exact)"}},
                   true,
                   {}};
  spec.validate = [](const nlohmann::json& p) {
    if (p["k_tokens"].get<int64_t>() < 0)
      throw std::invalid_argument("decoder 'std' parameter 'k_tokens': expected >= 0, got " + p["k_tokens"].dump());
    check_gamma("std", p["gamma"]);
  };
  return spec;
}

}  // namespace pevlm
