// ParallelVLM (Kong, Shen, Ji, Li, Wang; CVPR 2026; arXiv 2603.19610; ../shared/reference/decode_side.md):
// a draft model of the same family and tokenizer sees only the top (1 - alpha) of the video tokens,
// chosen by UV-Prune from the target's text-video similarity growth over its first `early_layers`
// layers; target and draft prefill concurrently, and the draft drafts window i+1 while the target
// verifies window i (a rejection discards it). gamma = T_p / T_q measured after the first round
// ("auto") or fixed. `pipeline: sequential` runs the two sides in turn (the same tokens; the row's
// modelled time is the overlapped one), for machines where two threads cannot overlap.
// Paper settings: alpha 0.9; early_layers is not given (exposed, default 2). The loop and prefill:
// decoders/draft_decode.h, pair_prefill.h, uv_prune.h.
#include <stdexcept>
#include <string>

#include "decoders/decoder_registry.h"

namespace pevlm {

DecoderSpec parallelvlm_decoder() {
  using K = ParamSpec::Kind;
  DecoderSpec spec{
      "parallelvlm",
      "ParallelVLM: UV-pruned draft model, concurrent prefill, draft window i+1 while verifying window i (lossless)",
      {ParamSpec{"draft_model", K::Text, nullptr, {}, "", "draft checkpoint folder (same family and tokenizer as the model)"},
       ParamSpec{"alpha", K::Double, 0.9, {}, "", "fraction of the video tokens pruned from the draft (keeps 1 - alpha)"},
       ParamSpec{"early_layers", K::Int, 2, {}, "", "L: UV-Prune scores the similarity growth up to the target's layer L"},
       ParamSpec{"gamma", K::IntOrChoice, "auto", {"auto"}, "", "window length: auto (T_p / T_q, measured) or N"},
       ParamSpec{"pipeline", K::Choice, "threads", {"threads", "sequential"}, "",
                 "threads: draft and target run concurrently; sequential: in turn (simulated pipeline)"}},
      true,
      {}};
  spec.validate = [](const nlohmann::json& p) {
    require_draft_model("parallelvlm", p);
    const double alpha = p["alpha"].get<double>();
    if (!(alpha >= 0.0 && alpha < 1.0))
      throw std::invalid_argument("decoder 'parallelvlm' parameter 'alpha': expected 0 <= alpha < 1, got " + p["alpha"].dump());
    if (p["early_layers"].get<int64_t>() < 1)
      throw std::invalid_argument("decoder 'parallelvlm' parameter 'early_layers': expected >= 1, got " + p["early_layers"].dump());
    if (!p["gamma"].is_string()) check_gamma("parallelvlm", p["gamma"]);
  };
  return spec;
}

}  // namespace pevlm
