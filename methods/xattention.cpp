// XAttention (Xu et al., ICML 2025; mit-han-lab/x-attention): a data-dependent method. Its static
// plan is full causal attention with full-attention positions (every token stays; decode sees the
// whole cache); inside each layer's prefill its estimator (methods/sparse/xattention_estimator.cpp)
// picks per head the key blocks each query block computes (the diagonal block always; the first block
// outside the reference's first query chunk, as its code does). Defaults: the reference's video setting
// (Qwen2-VL on Video-MME: stride 16, threshold 0.9) with its 128-token blocks.
#include <stdexcept>

#include "methods/method_registry.h"

namespace pevlm {

MethodSpec xattention_method() {
  return MethodSpec{
      "xattention",
      "query-aware block-sparse prefill: antidiagonal strided block scores, per head the smallest block set reaching "
      "threshold (first and diagonal blocks always kept)",
      {
          {"block_tokens", ParamSpec::Kind::Int, 128, {}, "", "query/key block size in tokens (reference: 128)"},
          {"stride", ParamSpec::Kind::Int, 16, {}, "", "S: antidiagonal sampling stride (reference: 8 text, 16 video)"},
          {"threshold", ParamSpec::Kind::Double, 0.9, {}, "", "tau: cumulative block mass to keep per query block"},
          {"chunk_tokens", ParamSpec::Kind::IntOrChoice, "auto", {"auto"}, "",
           "the reference's query chunk (auto: Xattention_prefill's rule from L); block 0 is forced outside the first chunk"},
      },
      [](const TokenLayout& layout, const nlohmann::json& p) {
        const int64_t block = p["block_tokens"].get<int64_t>(), stride = p["stride"].get<int64_t>();
        const double tau = p["threshold"].get<double>();
        if (block <= 0 || stride <= 0 || block % stride != 0)
          throw std::invalid_argument("method 'xattention': block_tokens (" + std::to_string(block) +
                                      ") must be a positive multiple of stride (" + std::to_string(stride) + ")");
        if (p["chunk_tokens"].is_number() && (p["chunk_tokens"].get<int64_t>() <= 0 || p["chunk_tokens"].get<int64_t>() % block != 0))
          throw std::invalid_argument("method 'xattention': chunk_tokens must be 'auto' or a positive multiple of block_tokens");
        if (!(tau > 0.0 && tau <= 1.0))
          throw std::invalid_argument("method 'xattention': threshold must be in (0, 1], got " + std::to_string(tau));
        return make_full_plan(layout);  // the estimator decides per layer (data_dependent below)
      },
      /*data_dependent=*/true};
}

}  // namespace pevlm
