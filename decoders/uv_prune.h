// UV-Prune, ParallelVLM's pruning of the draft model's video tokens (Kong et al., CVPR 2026, arXiv
// 2603.19610; ../shared/reference/decode_side.md "ParallelVLM", marked secondary there): video token i
// is scored by how much its cosine similarity to the text tokens grows across the target's first L
// layers,
//   dS_i = sum_j sum_{l=1..L} (S^l_ij - S^{l-1}_ij) = sum_j (S^L_ij - S^0_ij),  S^l_ij = cos(h^l_i, h^l_j),
// h^0 the input embeddings, h^l the hidden state after layer l (transformers' output_hidden_states
// numbering), j over the question rows (every token after the video; the last row when there are
// none). The draft keeps the top round((1 - alpha) V) video tokens (ties to the lower index) and every
// non-video token. The telescoped form needs only layers 0 and L, so the scorer keeps [V, T]
// similarities, never the hidden states (library pevlm_decoder_loops).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <future>
#include <vector>

#include "methods/token_layout.h"

namespace pevlm::decoders {

// cos(h_i, h_j) for rows i of `visual_rows` and j of `text_rows`: float32 [V, T].
at::Tensor cosine_rows(const at::Tensor& h_LD, const std::vector<int64_t>& visual_rows, const std::vector<int64_t>& text_rows);

// Video tokens the draft keeps: round((1 - alpha) * visual), alpha in [0, 1].
int64_t uv_prune_keep_count(int64_t visual, double alpha);

// The kept prompt rows, ascending: every row that is not in `visual_rows` plus the `keep` visual rows of
// highest score (scores_V float32 [V], one per visual row; ties to the lower index).
std::vector<int64_t> uv_prune_rows(const at::Tensor& scores_V, const std::vector<int64_t>& visual_rows, int64_t length,
                                   int64_t keep);

// The layout of the kept rows (spans shrunk to their kept tokens, empty ones dropped; positions
// gathered, so the draft keeps the model's real M-RoPE positions, not 1-D ones as SpecVLM's code).
TokenLayout prune_layout(const TokenLayout& layout, const std::vector<int64_t>& kept_rows);

// Scores during the target's prefill: pass observer() as llm::PrefillOptions::observe_hidden. After layer
// `early_layers` it publishes the kept rows through rows() (a shared future, so a draft prefill on
// another thread starts while the target's later layers still run).
class UvPruneSelector {
 public:
  UvPruneSelector(const TokenLayout& layout, double alpha, int64_t early_layers);
  std::function<void(int64_t, const at::Tensor&)> observer();
  std::shared_future<std::vector<int64_t>> rows() const { return rows_; }
  // After the prefill: dS per visual row (float32 [V]); throws std::logic_error when layer L never came.
  at::Tensor scores() const;
  int64_t visual_tokens() const { return int64_t(visual_rows_.size()); }
  int64_t kept_visual() const { return keep_; }
  // Unblocks rows() with an error (the target's prefill failed before layer L).
  void fail(std::exception_ptr error);

 private:
  void observe(int64_t n, const at::Tensor& h_LD);
  std::vector<int64_t> visual_rows_, text_rows_;
  int64_t length_ = 0, keep_ = 0, early_layers_ = 1;
  at::Tensor s0_VT_, scores_V_;
  std::promise<std::vector<int64_t>> promise_;
  std::shared_future<std::vector<int64_t>> rows_;
  bool published_ = false;
};

}  // namespace pevlm::decoders
