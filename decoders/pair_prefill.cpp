// The (target, draft) pair prefill: vanilla, or ParallelVLM's UV-Prune + concurrent prefill; see
// pair_prefill.h.
#include "decoders/pair_prefill.h"

#include <ATen/ATen.h>

#include <chrono>
#include <exception>
#include <stdexcept>
#include <string>

#include "decoders/uv_prune.h"

namespace pevlm::decoders {
namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

}  // namespace

PairPrefill prefill_pair(const llm::Decoder& target, const at::Tensor& x_LD, const TokenLayout& layout, const AttentionPlan& plan,
                         attention::Executor& executor, const llm::Decoder& draft, const at::Tensor& x_draft_LD,
                         attention::Executor& draft_executor, const PairPrefillOptions& opt) {
  if (draft.text().vocab_size != target.text().vocab_size)
    throw std::invalid_argument("speculative decoding: the draft's vocabulary has " + std::to_string(draft.text().vocab_size) +
                                " words, the target's " + std::to_string(target.text().vocab_size));
  if (!x_draft_LD.defined() || x_draft_LD.size(0) != layout.length)
    throw std::invalid_argument("speculative decoding: the draft's prompt has " +
                                (x_draft_LD.defined() ? std::to_string(x_draft_LD.size(0)) : std::string("no")) +
                                " rows, the target's " + std::to_string(layout.length));
  if (opt.prune && (opt.early_layers < 1 || opt.early_layers > target.text().num_layers))
    throw std::invalid_argument("ParallelVLM: early_layers must be in 1.." + std::to_string(target.text().num_layers) +
                                " (the target's layers), got " + std::to_string(opt.early_layers));
  if (opt.concurrent && &executor == &draft_executor)
    throw std::invalid_argument("prefill_pair: concurrent prefill needs one executor per model");
  const auto t_start = Clock::now();
  PairPrefill out;
  std::unique_ptr<UvPruneSelector> selector;
  llm::PrefillOptions target_options;
  if (opt.prune) {
    selector = std::make_unique<UvPruneSelector>(layout, opt.alpha, opt.early_layers);
    target_options.observe_hidden = selector->observer();
  }
  auto run_target = [&] {
    const auto t0 = Clock::now();
    try {
      out.target = target.prefill(x_LD, plan, executor, target_options);
    } catch (...) {
      if (selector) selector->fail(std::current_exception());  // unblocks a waiting draft
      throw;
    }
    if (selector) selector->fail(std::make_exception_ptr(std::logic_error("UV-Prune: the target never reached layer L")));
    out.target_ms = ms_since(t0);
  };
  auto run_draft = [&] {
    const auto t0 = Clock::now();
    if (selector) {
      out.kept_rows = selector->rows().get();  // after the target's layer L
    } else {
      out.kept_rows.resize(size_t(layout.length));
      for (int64_t i = 0; i < layout.length; ++i) out.kept_rows[size_t(i)] = i;
    }
    out.draft_wait_ms = ms_since(t0);
    const auto t1 = Clock::now();
    const TokenLayout kept = prune_layout(layout, out.kept_rows);
    const at::Tensor rows = at::tensor(out.kept_rows, at::kLong).to(x_draft_LD.device());
    llm::Session session = draft.prefill(x_draft_LD.index_select(0, rows), make_full_plan(kept), draft_executor);
    out.draft = std::make_unique<DraftStream>(draft, std::move(session), opt.filter);
    for (int64_t i = 0; i < opt.startup_steps; ++i) out.draft->step();
    out.draft_ms = ms_since(t1);
  };
  run_sides(opt.concurrent, run_target, run_draft);
  int64_t visual = 0;
  for (const Span& s : layout.spans) visual += s.kind == SpanKind::Frame ? s.size() : 0;
  out.visual_tokens = visual;
  out.kept_visual = visual - (layout.length - int64_t(out.kept_rows.size()));
  if (selector) out.uv_scores = selector->scores();
  out.wall_ms = ms_since(t_start);
  return out;
}

}  // namespace pevlm::decoders
