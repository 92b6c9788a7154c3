// FastV's in-LLM stage; see fastv_stage.h.
#include "reduction/fastv_stage.h"

#include <ATen/ATen.h>

#include <limits>
#include <stdexcept>
#include <string>

#include "reduction/fastv_select.h"
#include "reduction/reduced_layout.h"

namespace pevlm::reduction {

at::Tensor last_token_attention(const AttentionPlan& plan, const at::Tensor& q_LHD, const at::Tensor& k_LHD, double scale) {
  const int64_t L = q_LHD.size(0), Hq = q_LHD.size(1), Hkv = k_LHD.size(1);
  if (plan.length != L || k_LHD.size(0) != L || Hq % Hkv != 0)
    throw std::invalid_argument("fastv: q/k of " + std::to_string(L) + " rows do not match the plan of " +
                                std::to_string(plan.length) + " tokens (or heads are not grouped)");
  // The keys the last query sees under the plan.
  std::vector<uint8_t> visible(size_t(L), 0);
  for (const QueryRange& qr : plan.queries) {
    if (L - 1 < qr.begin || L - 1 >= qr.end) continue;
    for (const KeyRange& kr : qr.keys)
      for (int64_t j = kr.begin; j < (kr.causal ? L : kr.end); ++j) visible[size_t(j)] = 1;
  }
  const at::Tensor q_HD = q_LHD[L - 1].to(at::kFloat);                                   // [Hq, D]
  const at::Tensor k_HLD = k_LHD.to(at::kFloat).repeat_interleave(Hq / Hkv, 1).transpose(0, 1);  // [Hq, L, D]
  at::Tensor logits_HL = at::bmm(k_HLD, q_HD.unsqueeze(2)).squeeze(2) * scale;           // [Hq, L]
  const at::Tensor mask_L =
      at::tensor(std::vector<int64_t>(visible.begin(), visible.end()), at::kLong).to(q_LHD.device()).to(at::kBool);
  logits_HL = logits_HL.masked_fill(mask_L.logical_not().unsqueeze(0), -std::numeric_limits<float>::infinity());
  return at::softmax(logits_HL, 1).mean(0);
}

llm::PrefillOptions::InLlmReduction fastv_stage(const TokenLayout& layout, const MethodConfig& method, int64_t k,
                                                       double r, double scale, std::shared_ptr<FastvRecord> record) {
  if (k < 1) throw std::invalid_argument("fastv: k must be >= 1 (the scores come from layer k - 1), got " + std::to_string(k));
  fastv_keep_count(0, r);  // validates r
  llm::PrefillOptions::InLlmReduction stage;
  stage.after_layer = k - 1;
  stage.select = [layout, method, r, scale, record](const AttentionPlan& plan, const at::Tensor& q_LHD,
                                                    const at::Tensor& k_LHD) {
    const at::Tensor scores = last_token_attention(plan, q_LHD, k_LHD, scale).contiguous().cpu();
    const std::vector<float> s(scores.data_ptr<float>(), scores.data_ptr<float>() + scores.numel());
    llm::PrefillOptions::TokenDrop drop;
    drop.kept = fastv_select(layout, s, r);
    const TokenLayout reduced = subset_layout(layout, drop.kept);
    drop.plan = build_plan(method, reduced);
    if (record) {
      record->tokens_before = layout.length;
      record->visual_before = int64_t(frame_tokens(layout).size());
      record->tokens_after = reduced.length;
      record->visual_after = int64_t(frame_tokens(reduced).size());
      record->frames_after = reduced.num_frames();
      record->kept = drop.kept;
      record->scores = s;
    }
    return drop;
  };
  return stage;
}

}  // namespace pevlm::reduction
