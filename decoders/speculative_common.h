// Pieces every speculative loop on llm::Decoder shares (std_decode.*, draft_decode.*): greedy
// token choice, stop tokens and the output cut exactly as llm::Decoder::generate makes them.
#pragma once

#include <ATen/core/Tensor.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "models/llm/decoder.h"

namespace pevlm::decoders::speculative {

inline bool is_stop(const llm::GenerationOptions& g, int64_t token) {
  return std::find(g.stop_ids.begin(), g.stop_ids.end(), token) != g.stop_ids.end();
}

// Greedy: argmax, ties to the first index, as llm::Decoder::generate.
inline int64_t top_id(const at::Tensor& logits_V) { return logits_V.argmax().item<int64_t>(); }

// Sum of one field over a loop's rounds (drafted, accepted, ...).
template <class Round>
int64_t sum_rounds(const std::vector<Round>& rounds, int64_t Round::*field) {
  int64_t n = 0;
  for (const Round& r : rounds) n += r.*field;
  return n;
}

// Appends a token to the output; false when generation ends with it (a stop token, which is kept, or
// max_new_tokens reached).
inline bool emit(llm::GenerationResult& out, const llm::GenerationOptions& g, int64_t token) {
  out.tokens.push_back(token);
  if (is_stop(g, token)) {
    out.stopped = true;
    return false;
  }
  return int64_t(out.tokens.size()) < g.max_new_tokens;
}

}  // namespace pevlm::decoders::speculative
