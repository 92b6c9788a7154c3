// Speculative decoding with a draft model (vanilla and ParallelVLM's parallel windows); see
// draft_decode.h.
#include "decoders/draft_decode.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>

#include "decoders/speculative_common.h"

namespace pevlm::decoders {
namespace {

using speculative::is_stop;
using speculative::top_id;

}  // namespace

void run_sides(bool threads, const std::function<void()>& a, const std::function<void()>& b) {
  if (!threads) {
    a();
    b();
    return;
  }
  std::exception_ptr error_b;
  const int intra_op_threads = at::get_num_threads();  // a new thread would start from the default
  std::thread side([&] {
    at::set_num_threads(intra_op_threads);
    try {
      b();
    } catch (...) {
      error_b = std::current_exception();
    }
  });
  std::exception_ptr error_a;
  try {
    a();
  } catch (...) {
    error_a = std::current_exception();
  }
  side.join();
  if (error_a) std::rethrow_exception(error_a);
  if (error_b) std::rethrow_exception(error_b);
}

DraftStream::DraftStream(const llm::Decoder& llm, llm::Session session, DraftFilter filter)
    : llm_(llm), session_(std::move(session)), filter_(std::move(filter)), timer_(attention::DeviceTimer::make(llm.device())) {
  if (!session_.logits_LV.defined() || session_.logits_LV.size(0) == 0 || session_.executor == nullptr)
    throw std::logic_error("DraftStream: the draft session has no prefill logits (prefill with llm::LogitRows::Last)");
  base_ = session_.cache.length;
  position0_ = session_.next_position;
  const int64_t g = top_id(session_.logits_LV[session_.logits_LV.size(0) - 1]);
  first_guess_ = filter_ ? filter_(0, g) : g;
}

int64_t DraftStream::guess(int64_t index) const {
  if (index < 0 || index > processed())
    throw std::out_of_range("DraftStream::guess(" + std::to_string(index) + "): " + std::to_string(processed()) + " tokens processed");
  return index == 0 ? first_guess_ : guesses_[size_t(index - 1)];
}

void DraftStream::process(int64_t token) {
  const int t0 = timer_->mark();
  const int64_t g = top_id(
      llm_.forward_cached(session_.cache, session_.plan, *session_.executor, position0_ + processed(), {token})[0]);
  seq_.push_back(token);
  guesses_.push_back(filter_ ? filter_(processed(), g) : g);
  busy_ms += timer_->ms(t0, timer_->mark());
  ++steps;
}

int64_t DraftStream::sync(const std::vector<int64_t>& out) {
  int64_t keep = 0;
  while (keep < processed() && keep < int64_t(out.size()) && seq_[size_t(keep)] == out[size_t(keep)]) ++keep;
  if (keep < processed() && keep < int64_t(out.size())) {  // a processed token disagrees: roll back
    seq_.resize(size_t(keep));
    guesses_.resize(size_t(keep));
    session_.cache.length = base_ + keep;
  }
  for (int64_t i = processed(); i < int64_t(out.size()); ++i) process(out[size_t(i)]);
  return keep;
}

int64_t DraftStats::drafted() const { return speculative::sum_rounds(rounds, &DraftRound::drafted); }
int64_t DraftStats::accepted() const { return speculative::sum_rounds(rounds, &DraftRound::accepted); }
int64_t DraftStats::parallel_windows() const {
  return int64_t(std::count_if(rounds.begin(), rounds.end(), [](const DraftRound& r) { return r.parallel_steps > 0; }));
}
int64_t DraftStats::parallel_used() const {
  return int64_t(std::count_if(rounds.begin(), rounds.end(), [](const DraftRound& r) { return r.parallel_used; }));
}

DraftResult generate_with_draft(const llm::Decoder& target, llm::Session& s, DraftStream& draft, const llm::GenerationOptions& gen,
                                const DraftOptions& opt, const DraftRoundHook& hook) {
  if (!s.logits_LV.defined() || s.logits_LV.size(0) == 0)
    throw std::logic_error("generate_with_draft: the target session has no prefill logits (prefill with llm::LogitRows::Last)");
  if (gen.max_new_tokens < 0)
    throw std::invalid_argument("generate_with_draft: max_new_tokens must be >= 0, got " + std::to_string(gen.max_new_tokens));
  if (gen.keep_logits) throw std::invalid_argument("generate_with_draft: keep_logits is not supported");
  if (opt.gamma < 1 || opt.max_gamma < 1)
    throw std::invalid_argument("speculative decoding: gamma must be >= 1, got " + std::to_string(opt.gamma));
  const auto timer = attention::DeviceTimer::make(target.device());
  const int t_start = timer->mark();
  const double draft_busy0 = draft.busy_ms;
  const int64_t draft_steps0 = draft.steps;
  DraftResult out;
  llm::GenerationResult& res = out.generation;
  DraftStats& st = out.stats;
  st.gamma = opt.gamma;
  auto emit = [&](int64_t token) { return speculative::emit(res, gen, token); };  // false: generation ended
  if (gen.max_new_tokens == 0) return out;
  bool going = emit(top_id(s.logits_LV[s.logits_LV.size(0) - 1]));
  int64_t parallel_from = -1;  // output size the previous round's parallel window would continue from
  while (going) {
    DraftRound round;
    const int64_t n = int64_t(res.tokens.size());
    const int64_t past = s.cache.length, pos0 = s.next_position;
    const int64_t budget = std::min(st.gamma, gen.max_new_tokens - n - 1);  // a round emits <= budget + 1
    // 1-2. Sync the draft with the output and read the window (the target waits).
    const double busy0 = draft.busy_ms;
    const int64_t steps0 = draft.steps;
    const int64_t kept = draft.sync(res.tokens);
    if (parallel_from >= 0) st.rounds.back().parallel_used = kept >= n && n == parallel_from;
    std::vector<int64_t> window;
    for (int64_t i = 0; i < budget; ++i) {
      while (draft.processed() < n + i) draft.step();
      window.push_back(draft.guess(n + i));
      if (is_stop(gen, window.back())) break;
    }
    round.window_steps = draft.steps - steps0;
    round.window_ms = draft.busy_ms - busy0;
    // 3. Verify; the draft extends its stream as if the whole window were accepted (parallel).
    const int64_t b = int64_t(window.size());
    const int64_t extend_to = std::min(n + b + st.gamma, gen.max_new_tokens - 1);
    const bool parallel = opt.parallel && (b == 0 || !is_stop(gen, window.back())) && n + b < gen.max_new_tokens - 1;
    at::Tensor targets;
    auto verify = [&] {
      const int v0 = timer->mark();
      std::vector<int64_t> batch = {res.tokens.back()};
      batch.insert(batch.end(), window.begin(), window.end());
      targets = target.decode(s, batch).argmax(-1).cpu();  // [b + 1]
      round.verify_ms = timer->ms(v0, timer->mark());
    };
    auto extend = [&] {
      const double p0 = draft.busy_ms;
      const int64_t ps0 = draft.steps;
      while (draft.processed() < extend_to && !is_stop(gen, draft.guess(draft.processed()))) draft.step();
      round.parallel_steps = draft.steps - ps0;
      round.parallel_ms = draft.busy_ms - p0;
    };
    if (parallel) run_sides(opt.threads, verify, extend);
    else verify();
    ++st.verify_passes;
    const int64_t* t = targets.data_ptr<int64_t>();
    int64_t accepted = 0;
    while (accepted < b && t[accepted] == window[size_t(accepted)]) ++accepted;
    const int64_t bonus = t[accepted];
    // Roll back: pending + the accepted tokens keep the rows the verify wrote; the rest are dead.
    s.cache.length = past + accepted + 1;
    s.next_position = pos0 + accepted + 1;
    round.drafted = b;
    round.accepted = accepted;
    round.cache_length = s.cache.length;
    for (int64_t i = 0; i < accepted && going; ++i, ++round.emitted) going = emit(window[size_t(i)]);
    if (going) {
      going = emit(bonus);
      ++round.emitted;
    }
    // The parallel window continues output position n + b + 1 (everything accepted plus the bonus).
    parallel_from = parallel && round.parallel_steps > 0 ? n + b + 1 : -1;
    st.verify_ms += round.verify_ms;
    st.modelled_ms += round.window_ms + (parallel ? std::max(round.verify_ms, round.parallel_ms) : round.verify_ms);
    st.rounds.push_back(round);
    if (opt.auto_gamma && st.rounds.size() == 1 && draft.steps > 0) {
      // ParallelVLM: gamma = T_p / T_q, the target's verify time over the draft's step time.
      st.calibration_verify_ms = round.verify_ms;
      st.calibration_step_ms = draft.busy_ms / double(draft.steps);
      const double ratio = st.calibration_step_ms > 0 ? st.calibration_verify_ms / st.calibration_step_ms : double(opt.max_gamma);
      st.gamma = std::clamp<int64_t>(std::llround(ratio), 1, opt.max_gamma);
    }
    if (hook) hook(round, s, draft);
  }
  if (parallel_from >= 0) st.rounds.back().parallel_used = false;  // generation ended: nothing continued it
  st.total_ms = timer->ms(t_start, timer->mark());
  st.draft_ms = draft.busy_ms - draft_busy0;
  st.draft_steps = draft.steps - draft_steps0;
  st.target_idle_ms = std::max(0.0, st.total_ms - st.verify_ms);
  st.draft_idle_ms = std::max(0.0, st.total_ms - st.draft_ms);
  return out;
}

}  // namespace pevlm::decoders
