// Answers under a reduction; see reduced_answer.h.
#include "reduction/reduced_answer.h"

#include <ATen/ATen.h>

#include <cmath>
#include <memory>
#include <stdexcept>

#include "attention/device_timer.h"
#include "reduction/fastv_stage.h"
#include "reduction/fastvid_stage.h"
#include "reduction/apply_merge.h"
#include "reduction/layout_merge.h"
#include "reduction/reduced_layout.h"

namespace pevlm::reduction {

namespace {

// The FastVID reference variant: the one the signals name (LLaVA: LLaVA-Video or LLaVA-OneVision code), else the
// family's own.
std::string fastvid_reference(const std::string& family, const FastvidSignals* fastvid) {
  return fastvid != nullptr && !fastvid->reference.empty() ? fastvid->reference : family;
}

}  // namespace

TokenMerge pre_llm_merge(const ReductionConfig& config, const TokenLayout& layout, const at::Tensor& x_LD,
                         const std::string& family, const FastvidSignals* fastvid) {
  if (config.name != "fastvid") return layout_merge(config, layout);
  // Families without reference code throw here.
  const FastvidParams params = fastvid_params(fastvid_reference(family, fastvid), config.params);
  if (fastvid == nullptr || !fastvid->saliency_N.defined())
    throw std::invalid_argument("reduction 'fastvid': no FastVID signals from the " + family + " vision tower");
  const at::Tensor& saliency = fastvid->saliency_N;
  const int64_t frames = layout.num_frames();
  if (frames < 1 || saliency.numel() % frames != 0)
    throw std::invalid_argument("reduction 'fastvid': " + std::to_string(saliency.numel()) +
                                " saliency values do not split into the prompt's " + std::to_string(frames) + " frames");
  // The frames' grid tokens in order (newline tokens excluded; the saliency is in token order).
  return fastvid_merge(layout, x_LD, {saliency.reshape({frames, -1}), fastvid->global_FG}, params);
}

nlohmann::json reduction_record(const ReductionConfig& config, const TokenLayout& before, const TokenLayout& after, double ms) {
  return {{"name", config.name},       {"label", config.label()},
          {"params", config.params},   {"stage", stage_name(config.stage())},
          {"tokens_before", layout_counts(before)}, {"tokens_after", layout_counts(after)},
          {"ms", ms}};
}

ReducedAnswer answer_reduced(const VideoLM& model, const at::Tensor& x_LD, const TokenLayout& layout,
                             const MethodConfig& method, const ReductionConfig& reduction, int64_t max_new_tokens,
                             const DecoderConfig& decoder, const DraftInput* draft, const FastvidSignals* fastvid) {
  const Stage stage = reduction.stage();
  if (stage == Stage::None)
    return {model.answer(x_LD, layout, method, max_new_tokens, decoder, draft), reduction_record(reduction, layout, layout, 0)};
  if (draft != nullptr)
    throw std::invalid_argument("reduction '" + reduction.name + "' with decoder '" + decoder.name +
                                "': a draft model reads the unreduced prompt; use greedy or std");
  if (reduction.name == "fastvid") {
    (void)fastvid_params(model.family(), reduction.params);  // families without reference code say so first
    if (fastvid == nullptr || !fastvid->saliency_N.defined())
      throw std::invalid_argument("reduction 'fastvid': " + model.fastvid_signals_missing());
  }
  const auto timer = attention::DeviceTimer::make(x_LD.device());
  if (stage == Stage::PreLlm) {
    const int t0 = timer->mark();
    const MergedInput in =
        apply_merge(x_LD, layout, pre_llm_merge(reduction, layout, x_LD, model.family(), fastvid));
    const double ms = timer->ms(t0, timer->mark());
    nlohmann::json rec = reduction_record(reduction, layout, in.layout, ms);
    if (reduction.name == "fastvid")
      rec["effective"] = fastvid_params_json(fastvid_params(fastvid_reference(model.family(), fastvid), reduction.params));
    return {model.answer(in.x_LD, in.layout, method, max_new_tokens, decoder, nullptr), std::move(rec)};
  }
  // In the LLM (FastV): prefill with the stage hook, then greedy generation as the families' answer() does.
  if (!decoder.is_greedy())
    throw std::invalid_argument("reduction '" + reduction.name + "' runs inside the LLM and supports the greedy decoder only, got '" +
                                decoder.name + "'");
  const auto& llm = model.llm();
  auto record = std::make_shared<FastvRecord>();
  llm::PrefillOptions po;
  po.reduce = fastv_stage(layout, method, reduction.params.at("k").get<int64_t>(), reduction.params.at("r").get<double>(),
                          1.0 / std::sqrt(double(llm.text().head_dim)), record);
  if (po.reduce.after_layer >= llm.text().num_layers)
    throw std::invalid_argument("reduction 'fastv': k = " + std::to_string(po.reduce.after_layer + 1) + " but the model has " +
                                std::to_string(llm.text().num_layers) + " layers");
  llm::Session session = llm.prefill(x_LD, build_plan(method, layout), model.executor(), po);
  llm::GenerationOptions gen;
  gen.max_new_tokens = max_new_tokens;
  gen.stop_ids = model.stop_ids();
  const llm::GenerationResult result = llm.generate(session, gen);
  MethodAnswer a{model.detokenize(result.tokens), result.tokens, session.plan.token_counts(), session.timings,
                 std::nullopt, nullptr};
  a.token_counts["after_reduction"] = session.cache.reduced_plan ? session.cache.reduced_plan->token_counts() : nullptr;
  const TokenLayout reduced = subset_layout(layout, record->kept);
  nlohmann::json rec = reduction_record(reduction, layout, reduced, session.timings.prefill_reduction_ms);
  rec["from_layer"] = po.reduce.after_layer + 1;
  return {std::move(a), std::move(rec)};
}

}  // namespace pevlm::reduction
