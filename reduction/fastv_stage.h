// FastV inside the LLM (github pkunlp-icler/FastV; fastv_select.h for the selection it mirrors): the score
// of every token is the mean over query heads of the last token's attention probabilities at layer K-1
// (`last_attention.mean(dim=1)[0][-1]`, the eager attention's softmax output), the top int((1-R) N_v)
// visual tokens go on in sequence order with their positions, and layers >= K run on them only (their KV
// included: llm::Decoder's PrefillOptions::reduce). The plan of layers >= K is the method's plan rebuilt on the
// reduced TokenLayout, so FastV composes with every attention method.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>

#include "methods/method_registry.h"
#include "methods/token_layout.h"
#include "models/llm/decoder.h"

namespace pevlm::reduction {

// The last token's attention probabilities averaged over query heads: float32 [L]. Keys are those the plan
// lets the last query see (every key for full attention and every method here: the question attends to the
// whole context); softmax of scale * q.k in float32 per head (GQA: query head h reads KV head h / (Hq / Hkv)),
// masked keys 0. APE's logit groups are not applied (FastV scores plain softmax attention).
at::Tensor last_token_attention(const AttentionPlan& plan, const at::Tensor& q_LHD, const at::Tensor& k_LHD, double scale);

// What the stage did (filled when the prefill runs it).
struct FastvRecord {
  int64_t tokens_before = 0, visual_before = 0, tokens_after = 0, visual_after = 0, frames_after = 0;
  std::vector<int64_t> kept;  // kept rows of the prefill input
  std::vector<float> scores;  // every token's score (last_token_attention)
};

// The PrefillOptions::reduce hook of FastV with K = `k` (>= 1) and dropped fraction `r` on `layout`; layers
// >= K run `method`'s plan on the reduced layout. `record` (optional) receives the counts and kept rows.
// Throws std::invalid_argument for k < 1 or r outside [0, 1).
llm::PrefillOptions::InLlmReduction fastv_stage(const TokenLayout& layout, const MethodConfig& method, int64_t k,
                                                       double r, double scale, std::shared_ptr<FastvRecord> record = nullptr);

}  // namespace pevlm::reduction
