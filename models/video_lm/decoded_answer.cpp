// Any decoder on any family's LLM; see decoded_answer.h. Moved from models/qwen2_5_vl/runtime.cpp
// (greedy, std) and runtime_draft.cpp (answer_with_draft).
#include "models/video_lm/decoded_answer.h"

#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>

#include "decoders/decode_metrics.h"
#include "decoders/draft_decode.h"
#include "decoders/pair_prefill.h"
#include "decoders/std_decode.h"

namespace pevlm {
namespace {

MethodAnswer finish(const AnswerModel& m, const llm::GenerationResult& result, const llm::Session& session) {
  std::vector<int32_t> ids(result.tokens.begin(), result.tokens.end());
  return MethodAnswer{m.tokenizer.decode(ids, /*skip_special=*/true), result.tokens, session.plan.token_counts(),
                      session.timings, std::nullopt, nullptr};
}

// StD: top-K visual rows per layer and KV head chosen during the prefill, then self-speculation.
MethodAnswer answer_std(const AnswerModel& m, const at::Tensor& x_LD, const TokenLayout& layout, const AttentionPlan& plan,
                        const DecoderConfig& decoder, const llm::GenerationOptions& gen) {
  decoders::StdOptions opt;
  opt.k_tokens = decoder.params.at("k_tokens").get<int64_t>();
  opt.gamma = decoder.params.at("gamma").get<int64_t>();
  opt.sequential_verify = decoder.params.at("verify").get<std::string>() == "sequential";
  const llm::TextConfig& text = m.llm.text();
  decoders::StdSelector selector(layout, opt.k_tokens, text.num_layers, text.head_dim);
  llm::PrefillOptions po;
  po.observe_qk = selector.observer();
  llm::Session session = m.llm.prefill(x_LD, plan, m.executor, po);
  const decoders::StdSelection selection = selector.take();
  const decoders::StdResult r = decoders::generate_std(m.llm, session, selection, gen, opt);
  MethodAnswer a = finish(m, r.generation, session);
  a.timings.decode_ms = r.stats.total_ms;
  SpeculativeFigures f = loop_figures(r.stats, opt.gamma, int64_t(r.generation.tokens.size()));
  f.selection_ms = session.timings.prefill_observer_ms;
  a.speculative = f;
  a.selection = {{"visual_tokens", selection.visual_tokens}, {"kept_visual", selection.kept_visual},
                 {"kept_rows", selection.kept_rows()}, {"prompt_tokens", selection.prompt_length}};
  return a;
}

// Draft-model decoders: pair prefill (vanilla or ParallelVLM), the speculative loop, the answer with
// SpeculativeFigures and the draft's pruning in `selection`.
MethodAnswer answer_with_draft(const AnswerModel& target, const at::Tensor& x_LD, const TokenLayout& layout,
                               const AttentionPlan& plan, const DecoderConfig& decoder, const llm::GenerationOptions& gen,
                               const DraftInput& draft) {
  if (draft.model == nullptr || !draft.x_LD.defined())
    throw std::invalid_argument("decoder '" + decoder.name + "' needs its draft model's embeddings of the sample");
  const bool parallel = decoder.name == "parallelvlm";
  const auto& p = decoder.params;
  decoders::PairPrefillOptions po;
  decoders::DraftOptions opt;
  if (parallel) {
    po.prune = true;
    po.alpha = p.at("alpha").get<double>();
    po.early_layers = p.at("early_layers").get<int64_t>();
    opt.threads = po.concurrent = p.at("pipeline").get<std::string>() == "threads";
    opt.parallel = true;
    opt.auto_gamma = p.at("gamma").is_string();  // "auto": measured after a first window of 4
    opt.gamma = opt.auto_gamma ? 4 : p.at("gamma").get<int64_t>();
    po.startup_steps = opt.gamma + 1;  // the guess of the first token + a window, during the target's prefill
  } else {
    opt.gamma = p.at("gamma").get<int64_t>();
  }
  const std::unique_ptr<attention::Executor> draft_executor = attention::make_executor(target.executor.name());
  decoders::PairPrefill pre = decoders::prefill_pair(target.llm, x_LD, layout, plan, target.executor, draft.model->llm(),
                                                     draft.x_LD, *draft_executor, po);
  const decoders::DraftResult r = decoders::generate_with_draft(target.llm, pre.target, *pre.draft, gen, opt);
  MethodAnswer a = finish(target, r.generation, pre.target);
  a.timings.decode_ms = r.stats.total_ms;
  SpeculativeFigures f = loop_figures(r.stats, r.stats.gamma, int64_t(r.generation.tokens.size()));
  f.selection_ms = pre.target.timings.prefill_observer_ms;  // UV-Prune scoring inside the target's prefill
  f.two_models = true;
  f.parallel = parallel;
  f.gamma_auto = opt.auto_gamma;
  f.target_idle_ms = r.stats.target_idle_ms;
  f.draft_idle_ms = r.stats.draft_idle_ms;
  f.draft_prefill_ms = pre.draft_ms;
  f.prefill_wall_ms = pre.wall_ms;
  f.modelled_ms = r.stats.modelled_ms;
  f.parallel_windows = r.stats.parallel_windows();
  f.parallel_used = r.stats.parallel_used();
  a.speculative = f;
  a.selection = {{"draft_model", draft_model_of(decoder)}, {"visual_tokens", pre.visual_tokens},
                 {"kept_visual", pre.kept_visual}, {"draft_prompt_tokens", int64_t(pre.kept_rows.size())},
                 {"prompt_tokens", layout.length}, {"draft_vision_ms", draft.vision_ms},
                 {"draft_wait_ms", pre.draft_wait_ms}, {"target_prefill_ms", pre.target_ms},
                 {"calibration_verify_ms", r.stats.calibration_verify_ms}, {"calibration_step_ms", r.stats.calibration_step_ms}};
  if (parallel) {
    a.selection["alpha"] = po.alpha;
    a.selection["early_layers"] = po.early_layers;
  }
  return a;
}

}  // namespace

MethodAnswer answer_with_decoder(const AnswerModel& model, const at::Tensor& x_LD, const TokenLayout& layout,
                                 const AttentionPlan& plan, int64_t max_new_tokens, const DecoderConfig& decoder,
                                 const DraftInput* draft) {
  llm::GenerationOptions gen;
  gen.max_new_tokens = max_new_tokens;
  gen.stop_ids = model.stop_ids;
  if (decoder.is_greedy()) {
    llm::Session session = model.llm.prefill(x_LD, plan, model.executor);
    return finish(model, model.llm.generate(session, gen), session);
  }
  if (!draft_model_of(decoder).empty()) {
    if (draft == nullptr) throw std::invalid_argument("decoder '" + decoder.name + "' needs its draft model (draft_model)");
    return answer_with_draft(model, x_LD, layout, plan, decoder, gen, *draft);
  }
  if (decoder.name != "std") throw std::invalid_argument("decoder '" + decoder.name + "' is not implemented");
  return answer_std(model, x_LD, layout, plan, decoder, gen);
}

}  // namespace pevlm
