// Several questions per video, one prefill (issue 24 item 7): the questions of one video share the
// prompt up to the question (system text, frames, subtitles). PrefixReuse prefills that prefix once
// per (video, method configuration) and answers each question from a copy of the prefix's KV cache
// (llm::Decoder::prefill_suffix: the question suffix prefilled on top, then greedy decoding). The protocol
// and model are fixed within a run, so a group is (video, protocol name, method label); the prefix is
// reused only when the question's prefix is the stored one exactly: the same ids, bitwise the same
// embeddings and the same prefix plan (methods/prefix_plan.h) -- otherwise it is prefilled anew and
// the row says why. Exactness against a whole prefill per question: tests/prefix_reuse_test.cpp.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>

#include "methods/attention_plan.h"
#include "models/video_lm/video_lm.h"

namespace pevlm {

// What one answer did, for its result row ("prefix_reuse"): whether the prefix came from an earlier
// question, why not when it did not, the token counts and the prefix's and the suffix's prefill times
// (the prefix's as measured by the question that computed it).
struct PrefixReuseFigures {
  bool reused = false;
  std::string reason;  // why the prefix was prefilled for this question ("" when reused)
  int64_t prefix_tokens = 0, suffix_tokens = 0;
  double prefix_attention_ms = 0, prefix_other_ms = 0, suffix_attention_ms = 0, suffix_other_ms = 0;
  nlohmann::json to_json() const;
};

class PrefixReuse {
 public:
  explicit PrefixReuse(const VideoLM& model) : model_(model) {}

  // The greedy answer of one question whose prompt is `prompt` with embeddings x_LD, under method `m`.
  // `group` names the video (and protocol); a stored prefix of another group or method is dropped.
  // The answer's timings are those of the whole prompt (prefix + suffix, prefill_tokens = L), so latency
  // figures keep their meaning; `figures` says what was actually computed.
  MethodAnswer answer(const std::string& group, const VideoPrompt& prompt, const at::Tensor& x_LD, const MethodConfig& m,
                      int64_t max_new_tokens, PrefixReuseFigures& figures);
  // Drops the stored prefix (its KV cache), e.g. after the last question of a video.
  void clear() { stored_.reset(); }

 private:
  struct Stored {
    std::string group, label;
    std::vector<int64_t> ids;  // the prefix's token ids
    at::Tensor x_PD;           // its embeddings
    llm::Session session;  // prefilled under session.plan = prefix_plan(plan, P)
  };
  // Why the stored prefix cannot serve this question ("" when it can).
  std::string mismatch(const std::string& group, const std::string& label, const std::vector<int64_t>& ids,
                       const at::Tensor& x_PD, const AttentionPlan& prefix) const;

  const VideoLM& model_;
  std::optional<Stored> stored_;
};

// The group of a sample for prefix reuse: its video (id, else the file), with the protocol's name.
std::string prefix_group(const std::string& video_id, const std::string& video_file, const std::string& protocol);

}  // namespace pevlm
