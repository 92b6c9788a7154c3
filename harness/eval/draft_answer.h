// Decoders with a draft model (speculative, parallelvlm) in the harness: the draft checkpoints, loaded
// once per folder on the target's device, dtype and executor family and checked against the target
// (same family, tokenizer, vocabulary, special ids and video patching, so both build the same prompt);
// each sample's prompt embedded by the draft's own vision tower and embedding table; and the answer of
// a (target, draft) pair with its speculative figures (models/qwen2_5_vl/speculative_{prefill,draft}.h).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "harness/eval/qwen_runtime.h"

namespace pevlm {

// One sample's draft inputs: the draft model and its embeddings of the target's prompt [L, draft hidden].
struct DraftInput {
  const QwenRuntime* model = nullptr;
  at::Tensor x_LD;
  double vision_ms = 0;  // the draft's vision tower on this sample
};

// Throws std::invalid_argument naming both folders and what differs when `draft` cannot draft for `target`.
void check_draft_compatible(const QwenRuntime& target, const std::string& target_dir, const QwenRuntime& draft,
                            const std::string& draft_dir);

class DraftModels {
 public:
  DraftModels(const QwenRuntime& target, std::string target_dir);
  // The draft in `dir`, loaded and checked on first use.
  const QwenRuntime& get(const std::string& dir);
  // The draft's embeddings of a sample's prompt (system prompt + video + question, as the target's);
  // std::invalid_argument when its prompt ids differ from `target_ids`.
  DraftInput input(const std::string& dir, const VideoInput& video, const std::string& system_prompt,
                   const std::string& question, const std::vector<int64_t>& target_ids);

 private:
  const QwenRuntime& target_;
  std::string target_dir_;
  std::map<std::string, std::unique_ptr<QwenRuntime>> models_;
};

// QwenRuntime::answer for decoders with a draft model: pair prefill (vanilla or ParallelVLM), the
// speculative loop, the detokenised answer with SpeculativeFigures and the draft's pruning in `selection`.
MethodAnswer answer_with_draft(const QwenRuntime& target, const at::Tensor& x_LD, const TokenLayout& layout,
                               const AttentionPlan& plan, const DecoderConfig& decoder,
                               const qwen2_5_vl::GenerationOptions& generation, const DraftInput& draft);

}  // namespace pevlm
