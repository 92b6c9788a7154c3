// One answer under a reduction x method x decoder (issue 26): a pre-LLM reduction turns the prompt
// embeddings and TokenLayout into reduced ones (kept tokens keep their positions) and the family answers on
// them with any method and decoder; FastV reduces inside the LLM (greedy decoding: the draft / StD decoders
// copy KV rows, which the per-layer cache lengths of FastV do not fit). The record says what the stage did.
#pragma once

#include <cstdint>
#include <utility>

#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>

#include "models/video_lm/video_lm.h"
#include "reduction/reduction_registry.h"
#include "reduction/apply_merge.h"

namespace pevlm::reduction {

// The pre-LLM reduction `config` of the prompt embeddings x_LD on `layout` (TokenMerge, see token_merge.h).
// `family` picks family defaults (FastVID); `fastvid` holds the vision tower's saliency and global features
// (VideoLM::encode_with_fastvid_signals), read by FastVID only. Throws std::invalid_argument for an in-LLM or
// unknown reduction, or FastVID without signals.
TokenMerge pre_llm_merge(const ReductionConfig& config, const TokenLayout& layout, const at::Tensor& x_LD,
                         const std::string& family, const FastvidSignals* fastvid = nullptr);

// {"name", "label", "params", "stage", "tokens_before": layout_counts, "tokens_after": ..., "ms"}.
nlohmann::json reduction_record(const ReductionConfig& config, const TokenLayout& before, const TokenLayout& after, double ms);

struct ReducedAnswer {
  MethodAnswer answer;
  nlohmann::json record;  // reduction_record; for "none" the prompt's counts, ms 0
};

ReducedAnswer answer_reduced(const VideoLM& model, const at::Tensor& x_LD, const TokenLayout& layout,
                             const MethodConfig& method, const ReductionConfig& reduction, int64_t max_new_tokens,
                             const DecoderConfig& decoder = {}, const DraftInput* draft = nullptr,
                             const FastvidSignals* fastvid = nullptr);

}  // namespace pevlm::reduction
