// Vanilla speculative decoding with a draft model (Leviathan et al. 2023; the baseline of SpecVLM and
// ParallelVLM): a smaller model of the same family and tokenizer prefills every prompt token, drafts
// `gamma` tokens one at a time, the target verifies them in one pass and keeps the longest matching
// prefix + its own next token; greedy, so lossless. The loop: decoders/draft_decode.h.
#include <stdexcept>
#include <string>

#include "decoders/decoder_registry.h"

namespace pevlm {

DecoderSpec speculative_decoder() {
  using K = ParamSpec::Kind;
  DecoderSpec spec{"speculative",
                   "vanilla speculative decoding: a draft model (all tokens) drafts gamma tokens, the target verifies (lossless)",
                   {ParamSpec{"draft_model", K::Text, nullptr, {}, "",
                              "draft checkpoint folder (same family and tokenizer as the model)"},
                    ParamSpec{"gamma", K::Int, 5, {}, "", "tokens drafted per round"}},
                   true,
                   {}};
  spec.validate = [](const nlohmann::json& p) {
    require_draft_model("speculative", p);
    check_gamma("speculative", p["gamma"]);
  };
  return spec;
}

}  // namespace pevlm
