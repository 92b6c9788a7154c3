// Per-row figures of a speculative decoder (torch-free), written into every result row:
//   decode_tokens_per_s      generated tokens / decode wall time
//   speedup_vs_greedy        greedy decode ms (same sample, same prefill method) / (decode ms + selection ms)
//   decode_speedup_vs_greedy greedy decode ms / decode ms (selection left out)
//   lossless                 the tokens equal the greedy run's
//   rounds, drafted, accepted, acceptance_rate = accepted / drafted,
//   mean_accepted_length     drafts accepted per round, the bonus token excluded (SpecVLM's definition):
//                            accepted / rounds; tokens per round = mean_accepted_length + 1 (but the last)
//   draft_ms, verify_ms, c   = (verify ms per round) / (draft ms per draft step), measured
//   predicted_speedup        the timing model (1 - a^(gamma+1)) / ((1 - a)(1 + gamma/c)) with a = acceptance_rate
// Decoders with a draft model (speculative, parallelvlm) add (null for StD, which has one model):
//   target_idle_ms, draft_idle_ms  decode wall time each model spent waiting for the other
//   draft_prefill_ms         the draft's prefill (+ startup window); prefill_wall_ms: both prefills' wall time
//   parallel_windows, parallel_used  windows drafted during a verify, and those that became the next window
//   modelled_pipeline_ms     per round: sequential draft time + max(verify, parallel draft) (parallelvlm)
//   predicted_speedup_parallel  (1 - a^(gamma+1)) / ((1 - a)(1 + (1 - a^(gamma+1)) gamma / c)): a round costs
//                            one verify (the next window is drafted meanwhile) plus, when the window or the
//                            bonus guess is rejected (probability 1 - a^(gamma+1)), gamma sequential draft
//                            steps; our reading of ParallelVLM's "~ tau_hat * c*(alpha)" (secondary)
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

namespace pevlm {

struct SpeculativeFigures {
  int64_t gamma = 0;
  int64_t generated = 0;  // output tokens
  int64_t rounds = 0, drafted = 0, accepted = 0, draft_steps = 0, verify_passes = 0;
  double draft_ms = 0, verify_ms = 0, decode_ms = 0, selection_ms = 0;
  double greedy_decode_ms = 0;
  bool lossless = false;
  // Draft-model decoders (two_models): idle times, the draft's prefill, the parallel pipeline.
  bool two_models = false, parallel = false, gamma_auto = false;
  double target_idle_ms = 0, draft_idle_ms = 0, draft_prefill_ms = 0, prefill_wall_ms = 0, modelled_ms = 0;
  int64_t parallel_windows = 0, parallel_used = 0;
};

// The parallel pipeline's timing model (see the header); a = 1 gives gamma + 1.
double predicted_parallel_speedup(double acceptance, int64_t gamma, double c);

// The figures every speculative loop's stats give (StdStats, DraftStats: rounds, drafted(), accepted(),
// draft_steps, verify_passes, draft_ms, verify_ms, total_ms); the caller adds the rest.
template <class Stats>
SpeculativeFigures loop_figures(const Stats& st, int64_t gamma, int64_t generated) {
  SpeculativeFigures f;
  f.gamma = gamma;
  f.generated = generated;
  f.rounds = int64_t(st.rounds.size());
  f.drafted = st.drafted();
  f.accepted = st.accepted();
  f.draft_steps = st.draft_steps;
  f.verify_passes = st.verify_passes;
  f.draft_ms = st.draft_ms;
  f.verify_ms = st.verify_ms;
  f.decode_ms = st.total_ms;
  return f;
}

// The timing model of vanilla speculative decoding; a = 1 gives (gamma + 1) / (1 + gamma / c).
double predicted_speedup(double acceptance, int64_t gamma, double c);

// The row fields above (null where a ratio has no denominator).
nlohmann::json speculative_metrics(const SpeculativeFigures& f);

// decode tokens/s of any row (null when no time was measured).
nlohmann::json tokens_per_second(int64_t tokens, double ms);

}  // namespace pevlm
