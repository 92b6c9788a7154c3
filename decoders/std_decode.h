// Sparse-to-Dense self-speculation (StD; Zhang et al., ACL 2025, arXiv 2505.19155) on the shared Qwen
// decoder of every family (llm::Decoder; library pevlm_decoder_loops; ../shared/reference/decode_side.md).
//
// One model, two views of one KV cache:
//  - selection, once at prefill: per layer and KV head, the top-K visual tokens (Frame spans of the
//    TokenLayout) by the text queries' attention: score(x) = sum over the query heads of the KV group
//    of the mean over the question rows (every token after the video) of their causal softmax
//    attention to x, computed per layer from the rotated Q/K as [question rows x L] per head (never
//    L x L); ties go to the lower index. Every non-visual prompt token is kept.
//  - draft: the same model decodes `gamma` tokens greedily reading only the kept prompt rows (a draft
//    cache gathered per KV head) plus the generated tokens' rows;
//  - verify: the dense model decodes [pending, draft_1..draft_gamma] in one pass (batched) or one token
//    at a time stopping at the first mismatch (sequential, bit-exact with greedy decoding); the longest
//    matching prefix is accepted plus the dense model's next token (the bonus); the dense cache is
//    rolled back by length, so no rejected token's k/v stays visible (rows past `length` are dead and
//    overwritten), and the accepted tokens keep the k/v the dense pass wrote. The draft cache takes
//    those dense rows too.
// Under greedy decoding the output equals llm::Decoder::generate exactly (fp32; a bf16 batched verify may
// flip near-ties, which the sequential mode avoids). Stop tokens and max_new_tokens cut exactly as
// generate does: a round never drafts past the remaining budget or past a drafted stop token.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "methods/token_layout.h"
#include "models/llm/decoder.h"

namespace pevlm::decoders {

struct StdOptions {
  int64_t k_tokens = 1024;         // visual tokens kept per layer and KV head (min with the visual count)
  int64_t gamma = 9;               // tokens drafted per round (>= 1)
  bool sequential_verify = false;  // verify one token at a time (exact, stops at the first mismatch)
};

// The kept prompt rows: per layer int64 [S, Hkv] (column h = KV head h's rows, ascending), S = every
// non-visual prompt row + min(K, visual tokens) visual rows, on the model's device.
struct StdSelection {
  std::vector<at::Tensor> rows_SH;
  int64_t prompt_length = 0;   // L
  int64_t visual_tokens = 0;   // Frame-span tokens of the layout
  int64_t kept_visual = 0;     // per layer and KV head
  int64_t kept_rows() const { return rows_SH.empty() ? 0 : rows_SH.front().size(0); }
};

// Scores of the visual rows for one layer: float32 [Hkv, visual_rows.size()] (see the header).
// q_LHD [L, Hq, D] and k_LHD [L, Hkv, D] rotated as the prefill uses them; question_begin: first
// question row (== L: the last row is used). `scale` multiplies q.k.
at::Tensor std_visual_scores(const at::Tensor& q_LHD, const at::Tensor& k_LHD, const std::vector<int64_t>& visual_rows,
                             int64_t question_begin, double scale);

// Collects the selection during a prefill: pass observer() as llm::PrefillOptions::observe_qk.
class StdSelector {
 public:
  StdSelector(const TokenLayout& layout, int64_t k_tokens, int64_t num_layers, int64_t head_dim);
  std::function<void(int64_t, const at::Tensor&, const at::Tensor&)> observer();
  // The selection after the prefill ran (throws std::logic_error when a layer was not observed).
  StdSelection take();

 private:
  void observe(int64_t layer, const at::Tensor& q_LHD, const at::Tensor& k_LHD);
  std::vector<int64_t> visual_rows_, other_rows_;
  int64_t question_begin_ = 0, length_ = 0, k_tokens_ = 0;
  double scale_ = 1.0;
  StdSelection selection_;
};

// One round: `drafted` tokens proposed, the first `accepted` matched, `emitted` = tokens appended to
// the output (accepted + the bonus, or fewer when a stop token or the length cut ended generation).
struct StdRound {
  int64_t drafted = 0, accepted = 0, emitted = 0;
  int64_t cache_length = 0;  // dense cache rows after the rollback
};

struct StdStats {
  std::vector<StdRound> rounds;
  int64_t draft_steps = 0;     // draft forward passes (one token each)
  int64_t verify_passes = 0;   // dense forward passes (1 per round batched, accepted + 1 sequential)
  double draft_ms = 0, verify_ms = 0;
  double total_ms = 0;         // the whole decode loop (draft + verify + bookkeeping)
  int64_t drafted() const;
  int64_t accepted() const;
};

struct StdResult {
  llm::GenerationResult generation;
  StdStats stats;
};

// Test hook: called after every round with the session rolled back.
using StdRoundHook = std::function<void(const StdRound&, const llm::Session&)>;

// StD generation from a session prefilled with StdSelector's observer (its last-row logits give the
// first token, as in llm::Decoder::generate). keep_logits is not supported (std::invalid_argument).
StdResult generate_std(const llm::Decoder& llm, llm::Session& session, const StdSelection& selection,
                       const llm::GenerationOptions& generation, const StdOptions& options, const StdRoundHook& hook = {});

}  // namespace pevlm::decoders
