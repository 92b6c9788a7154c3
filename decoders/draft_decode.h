// Speculative decoding with a draft model on the shared Qwen decoder of every family (llm::Decoder;
// library pevlm_decoder_loops; ../shared/reference/decode_side.md): vanilla speculative decoding (Leviathan et al. 2023; the draft
// drafts gamma tokens, the target verifies them in one pass) and ParallelVLM's parallel decoding
// (Kong et al., CVPR 2026: while the target verifies window i the draft drafts window i+1; a rejection
// discards the window drafted in parallel). Greedy on both sides, so the output equals greedy decoding
// of the target token for token, whatever the draft proposes.
//
// The draft is a *stream*: the tokens it has run through its own cache (processed) and, after each, its
// greedy guess of the next output token. Each round
//  1. sync: the processed tokens keep their longest prefix agreeing with the output so far (the rest
//     is rolled back by cache length: a rejected or discarded token's k/v is never visible), then the
//     draft processes the output tokens it has not seen;
//  2. window: the draft's guesses for the next min(gamma, remaining - 1) output positions, stepping the
//     draft where the stream is short (the target waits: sequential draft time), cut after a stop token;
//  3. verify: the target decodes [pending, window] in one pass, accepts the longest matching prefix plus
//     its own next token (the bonus) and rolls its cache back by length, as StD (std_decode.h);
//     with `parallel`, the draft meanwhile extends its stream as if the whole window were accepted:
//     its guess for the bonus and gamma more tokens (the parallel window). If the verify accepted
//     everything and the bonus equals the draft's guess, sync keeps the parallel window as the next
//     window (no sequential draft time); otherwise sync discards it.
// `threads` runs the two sides of the verify phase on two CPU threads (each side has its own model,
// cache and executor; on a GPU the same split maps onto one stream or device per side); without it
// they run one after the other (a simulated pipeline: the same tokens, and the modelled parallel time
// from the measured pieces).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "attention/device_timer.h"
#include "models/llm/decoder.h"

namespace pevlm::decoders {

// Test hook: the draft's proposal for output index `index` (its greedy token `token`) -> the token it
// proposes and processes instead (e.g. always a wrong one). Empty: the greedy token.
using DraftFilter = std::function<int64_t(int64_t index, int64_t token)>;

// The draft model's stream over its own prefilled session (see the header).
class DraftStream {
 public:
  // `session` was prefilled by `llm` with llm::LogitRows::Last (its last row gives the guess for output 0).
  DraftStream(const llm::Decoder& llm, llm::Session session, DraftFilter filter = {});
  int64_t processed() const { return int64_t(seq_.size()); }
  const std::vector<int64_t>& processed_tokens() const { return seq_; }
  // The draft's proposal for output index `index` (0 <= index <= processed()).
  int64_t guess(int64_t index) const;
  // Runs guess(processed()) through the draft (one forward pass).
  void step() { process(guess(processed())); }
  // Keeps the longest processed prefix equal to out's (rolling the rest back), processes the rest of
  // `out`; returns the kept prefix length. Afterwards guess(out.size()) exists.
  int64_t sync(const std::vector<int64_t>& out);
  const llm::Session& session() const { return session_; }
  int64_t steps = 0;    // draft forward passes
  double busy_ms = 0;   // their time

 private:
  void process(int64_t token);
  const llm::Decoder& llm_;
  llm::Session session_;
  DraftFilter filter_;
  std::unique_ptr<attention::DeviceTimer> timer_;
  int64_t base_ = 0, position0_ = 0, first_guess_ = 0;
  std::vector<int64_t> seq_, guesses_;  // guesses_[k]: the proposal after processing seq_[0..k]
};

struct DraftOptions {
  int64_t gamma = 4;          // window length (>= 1); with auto_gamma the first round's window
  bool auto_gamma = false;    // after the first round: gamma = clamp(round(T_p / T_q), 1, max_gamma)
  int64_t max_gamma = 32;
  bool parallel = false;      // ParallelVLM: the draft extends its stream while the target verifies
  bool threads = true;        // the two sides of a parallel verify phase on two threads (else in turn)
};

// One round. `drafted` window tokens, the first `accepted` matched, `emitted` appended to the output
// (accepted + bonus, fewer when a stop token or the length cut ended generation).
struct DraftRound {
  int64_t drafted = 0, accepted = 0, emitted = 0;
  int64_t cache_length = 0;     // target cache rows after the rollback
  int64_t window_steps = 0;     // draft steps taken while the target waited (sync + window)
  int64_t parallel_steps = 0;   // draft steps taken during the verify (parallel mode)
  bool parallel_used = false;   // this round's parallel window became the next window
  double window_ms = 0, verify_ms = 0, parallel_ms = 0;
};

struct DraftStats {
  std::vector<DraftRound> rounds;
  int64_t gamma = 0;            // the window length used after calibration (== options.gamma when fixed)
  int64_t draft_steps = 0, verify_passes = 0;
  double draft_ms = 0;          // every draft step of the decode loop (sequential and parallel)
  double verify_ms = 0;         // every target verify pass
  double total_ms = 0;          // the decode loop's wall time
  double target_idle_ms = 0;    // total - verify: the target waiting for drafts
  double draft_idle_ms = 0;     // total - draft: the draft waiting for verdicts
  // Sum over rounds of window_ms + (parallel ? max(verify, parallel) : verify): the pipeline's time from
  // the measured pieces (== what two perfectly overlapped sides take); <= draft_ms + verify_ms.
  double modelled_ms = 0;
  double calibration_verify_ms = 0, calibration_step_ms = 0;  // T_p, T_q behind auto gamma
  int64_t drafted() const;
  int64_t accepted() const;
  int64_t parallel_windows() const;  // rounds with a parallel phase
  int64_t parallel_used() const;
};

struct DraftResult {
  llm::GenerationResult generation;
  DraftStats stats;
};

// Test hook: called after every round with the target session rolled back.
using DraftRoundHook = std::function<void(const DraftRound&, const llm::Session& target, const DraftStream& draft)>;

// Runs `a` on this thread and `b` on a second one (or `b` after `a` when !threads), then rethrows the
// first error of either: the two sides of a parallel phase (target | draft).
void run_sides(bool threads, const std::function<void()>& a, const std::function<void()>& b);

// Generation from a freshly prefilled target session (its last-row logits give the first token, as
// llm::Decoder::generate) and a draft stream over the same prompt. keep_logits is not supported.
DraftResult generate_with_draft(const llm::Decoder& target, llm::Session& session, DraftStream& draft, const llm::GenerationOptions& generation,
                                const DraftOptions& options, const DraftRoundHook& hook = {});

}  // namespace pevlm::decoders
