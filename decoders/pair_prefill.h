// The prefill of a (target, draft) pair for speculative decoding with a draft model (library
// pevlm_decoder_loops; ../shared/reference/decode_side.md "ParallelVLM"):
//  - vanilla: the target prefills under its plan, then the draft prefills every prompt token;
//  - ParallelVLM: the target prefills under its plan and, once its layer `early_layers` has run,
//    UV-Prune (uv_prune.h) picks the draft's video tokens; the draft prefills the kept tokens (full
//    causal attention at their real M-RoPE positions) and pre-generates a startup window of its
//    guesses while the target's remaining layers run: two threads on the CPU (each side has its own
//    model, cache and executor; on a GPU the same split maps onto one stream or device per side), or
//    one after the other (`concurrent` = false: the same tokens, the simulated pipeline).
// The draft gets the prompt's embeddings from its own vision tower and embedding table (x_draft_LD:
// every prompt row, as the target's x_LD); the ids must be the target's (same tokenizer).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "attention/executor.h"
#include "methods/attention_plan.h"
#include "methods/token_layout.h"
#include "models/llm/decoder.h"
#include "decoders/draft_decode.h"

namespace pevlm::decoders {

struct PairPrefillOptions {
  bool prune = false;          // UV-Prune the draft's video tokens (ParallelVLM)
  double alpha = 0.9;          // fraction of the video tokens pruned (keep the top 1 - alpha)
  int64_t early_layers = 2;    // L: similarity growth from the embeddings to after layer L (<= target layers)
  bool concurrent = false;     // target and draft prefill on two threads
  int64_t startup_steps = 0;   // draft steps pre-generated after its prefill (the startup window)
  DraftFilter filter;          // test hook passed to the DraftStream
};

struct PairPrefill {
  llm::Session target;
  std::unique_ptr<DraftStream> draft;
  std::vector<int64_t> kept_rows;   // prompt rows the draft sees (ascending)
  int64_t visual_tokens = 0, kept_visual = 0;
  at::Tensor uv_scores;             // float32 [visual] when pruned
  double target_ms = 0;             // the target's prefill (its own timings, observers included)
  double draft_ms = 0;              // the draft's prefill + startup window
  double draft_wait_ms = 0;         // the draft waiting for the pruning decision (concurrent)
  double wall_ms = 0;               // the whole pair prefill
};

// Prefills both models (see the header). `draft_executor` must not be `executor` when concurrent.
PairPrefill prefill_pair(const llm::Decoder& target, const at::Tensor& x_LD, const TokenLayout& layout, const AttentionPlan& plan,
                         attention::Executor& executor, const llm::Decoder& draft, const at::Tensor& x_draft_LD,
                         attention::Executor& draft_executor, const PairPrefillOptions& options);

}  // namespace pevlm::decoders
