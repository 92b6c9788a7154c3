// The answer of one prompt under any decoder (greedy, std, speculative, parallelvlm) on the Qwen decoder
// every family runs (library pevlm_video_lm): the prefill under the method's plan, the decoder's loop
// (decoders/: std_decode.h, draft_decode.h, pair_prefill.h), the detokenised tokens with the per-phase
// timings and, for a speculative decoder, its figures and selection. Family-independent: each family's
// VideoLM::answer calls it with its LLM, executor, tokenizer and stop ids, so every decoder runs on every
// family (issue 23); the draft of a draft-model decoder comes from DraftModels (draft_models.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "attention/executor.h"
#include "decoders/decoder_registry.h"
#include "methods/attention_plan.h"
#include "methods/token_layout.h"
#include "models/llm/decoder.h"
#include "models/tokenizer/tokenizer.h"
#include "models/video_lm/video_lm.h"

namespace pevlm {

// What a family hands the decoders: its LLM, the executor it prefills with, its tokenizer (detokenising
// the answer) and the ids that end generation (kept in the output).
struct AnswerModel {
  const llm::Decoder& llm;
  attention::Executor& executor;
  const tokenizer::Tokenizer& tokenizer;
  const std::vector<int64_t>& stop_ids;
};

// Prefill x_LD under `plan` (built from the method and `layout`), then decode up to max_new_tokens with
// `decoder`. Decoders with a draft model need `draft` (DraftModels::input: the draft and its embeddings of
// the same prompt); std::invalid_argument naming the decoder when it is missing or the decoder unknown.
MethodAnswer answer_with_decoder(const AnswerModel& model, const at::Tensor& x_LD, const TokenLayout& layout,
                                 const AttentionPlan& plan, int64_t max_new_tokens, const DecoderConfig& decoder,
                                 const DraftInput* draft);

}  // namespace pevlm
