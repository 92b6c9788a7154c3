// Decoders with a draft model (speculative, parallelvlm) for Qwen2.5-VL (library pevlm_qwen_runtime):
// the draft checkpoints, loaded once per folder on the target's device, dtype and executor family and
// checked against the target (same family, tokenizer, vocabulary, special ids and video patching, so
// both build the same prompt); each sample's prompt embedded by the draft's own vision tower and
// embedding table; and the answer of a (target, draft) pair with its speculative figures
// (speculative_{prefill,draft}.h). The harness reaches these through VideoLM::draft_models().
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "models/qwen2_5_vl/runtime.h"

namespace pevlm::qwen2_5_vl {

// Throws std::invalid_argument naming both folders and what differs when `draft` cannot draft for `target`.
void check_draft_compatible(const QwenVideoLM& target, const std::string& target_dir, const QwenVideoLM& draft,
                            const std::string& draft_dir);

class QwenDraftModels : public DraftModels {
 public:
  QwenDraftModels(const QwenVideoLM& target, std::string target_dir);
  // The draft in `dir`, loaded and checked on first use.
  const QwenVideoLM& get(const std::string& dir);
  // The draft's embeddings of a sample's prompt (system prompt + video + question, as the target's);
  // std::invalid_argument when its prompt ids differ from `target_ids`.
  DraftInput input(const std::string& dir, const VideoInput& video, const std::string& system_prompt,
                   const std::string& question, const std::vector<int64_t>& target_ids) override;

 private:
  const QwenVideoLM& target_;
  std::string target_dir_;
  std::map<std::string, std::unique_ptr<QwenVideoLM>> models_;
};

// QwenVideoLM::answer for decoders with a draft model: pair prefill (vanilla or ParallelVLM), the
// speculative loop, the detokenised answer with SpeculativeFigures and the draft's pruning in `selection`.
MethodAnswer answer_with_draft(const QwenVideoLM& target, const at::Tensor& x_LD, const TokenLayout& layout,
                               const AttentionPlan& plan, const DecoderConfig& decoder,
                               const llm::GenerationOptions& generation, const DraftInput& draft);

}  // namespace pevlm::qwen2_5_vl
