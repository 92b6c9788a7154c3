// Prefix reuse across the questions of one video; see prefix_reuse.h.
#include "harness/eval/prefix_reuse.h"

#include <ATen/ATen.h>

#include "methods/prefix_plan.h"

namespace pevlm {

nlohmann::json PrefixReuseFigures::to_json() const {
  return {{"reused", reused},
          {"reason", reason.empty() ? nlohmann::json(nullptr) : nlohmann::json(reason)},
          {"prefix_tokens", prefix_tokens},
          {"suffix_tokens", suffix_tokens},
          {"prefix_ms", {{"attention", prefix_attention_ms}, {"other", prefix_other_ms}}},
          {"suffix_ms", {{"attention", suffix_attention_ms}, {"other", suffix_other_ms}}}};
}

std::string prefix_group(const std::string& video_id, const std::string& video_file, const std::string& protocol) {
  return (video_id.empty() ? video_file : video_id) + "|" + protocol;
}

std::string PrefixReuse::mismatch(const std::string& group, const std::string& label, const std::vector<int64_t>& ids,
                                  const at::Tensor& x_PD, const AttentionPlan& prefix) const {
  if (!stored_) return "first question of the video";
  if (stored_->group != group || stored_->label != label) return "first question of the video";
  if (stored_->ids != ids) return "the prefix token ids differ from the stored prefix's";
  if (const std::string d = plan_difference(prefix, stored_->session.plan); !d.empty())
    return "the prefix plan differs from the stored prefix's: " + d;
  if (!at::equal(x_PD, stored_->x_PD)) return "the prefix embeddings differ from the stored prefix's";
  return "";
}

MethodAnswer PrefixReuse::answer(const std::string& group, const VideoPrompt& prompt, const at::Tensor& x_LD,
                                 const MethodConfig& m, int64_t max_new_tokens, PrefixReuseFigures& f) {
  const TokenLayout& layout = prompt.layout;
  const int64_t P = layout.question_begin(), L = layout.length;
  f = PrefixReuseFigures{};
  if (P <= 0 || P >= L) {  // nothing to share (or no question): a whole prefill, and the row says so
    f.reason = "no prompt part before the question to share (question at token " + std::to_string(P) + " of " +
               std::to_string(L) + "): whole prefill";
    return model_.answer(x_LD, layout, m, max_new_tokens);
  }
  const AttentionPlan plan = build_plan(m, layout);
  const AttentionPlan prefix = prefix_plan(plan, P);
  const std::vector<int64_t> ids(prompt.ids.begin(), prompt.ids.begin() + P);
  const at::Tensor x_PD = x_LD.narrow(0, 0, P);
  f.prefix_tokens = P;
  f.suffix_tokens = L - P;
  f.reason = mismatch(group, m.label(), ids, x_PD, prefix);
  f.reused = f.reason.empty();
  const llm::Decoder& llm = model_.llm();
  if (!f.reused) {
    stored_.reset();  // frees the old cache before the new prefill
    llm::PrefillOptions po;
    po.logits = llm::LogitRows::None;
    stored_ = Stored{group, m.label(), ids, x_PD, llm.prefill(x_PD, prefix, model_.executor(), po)};
  }
  const llm::Timings& pt = stored_->session.timings;
  f.prefix_attention_ms = pt.prefill_attention_ms;
  f.prefix_other_ms = pt.prefill_other_ms;
  llm::Session session = llm.prefill_suffix(stored_->session, x_LD.narrow(0, P, L - P), plan);
  f.suffix_attention_ms = session.timings.prefill_attention_ms;
  f.suffix_other_ms = session.timings.prefill_other_ms;
  // The whole prompt's prefill figures (what a question answered alone costs), as rows without reuse.
  session.timings.prefill_attention_ms += pt.prefill_attention_ms;
  session.timings.prefill_other_ms += pt.prefill_other_ms;
  session.timings.prefill_tokens = L;
  return model_.answer_session(session, max_new_tokens);
}

}  // namespace pevlm
