// An Executor that forwards every call to the real executor and, on the way, records the attention
// mass of the analysed queries per TokenLayout span (attention/span_mass.h): the model code needs no
// hook, and whatever executor the run uses (cpu, cuda, ...) still computes the layer outputs.
//
// llm::Decoder::prefill calls Executor::prefill once per decoder layer in order (models/llm/
// session.cpp) and llm::Decoder::decode calls Executor::decode once per layer per step, so the n-th
// call of each kind is layer n % num_layers; the recorder keeps only the first decode step.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "attention/executor.h"
#include "attention/span_mass.h"
#include "harness/analyze/analyze_config.h"
#include "methods/token_layout.h"

namespace pevlm {

// The key segments of an analysis: every TokenLayout span in order, named for reports:
// "system" (text before the first frame), "frame <i>", "subtitles <k>" (text between frames),
// "question"; the generated query set adds "generated" (its own key).
struct SpanInfo {
  std::string label;
  std::string kind;          // system | frame | subtitles | question | generated
  int64_t begin = 0, end = 0;
  int64_t frame_index = -1;  // frames only
};
std::vector<SpanInfo> analysis_spans(const TokenLayout& layout);
std::vector<int64_t> span_bounds(const std::vector<SpanInfo>& spans);

// One layer's result for one query set: masses averaged over the set's queries.
struct LayerMass {
  int64_t layer = 0;
  at::Tensor mass_HS;          // float32 CPU [Hq, S]: mean over queries, per head
  double max_sum_error = 0;    // max over heads and queries of |sum over spans - 1|
  int64_t queries = 0;
};

class MassRecorder final : public attention::Executor {
 public:
  // `layers` empty = all. Throws std::invalid_argument when a layer is out of range or the
  // question set is asked for and the layout has no question span.
  MassRecorder(attention::Executor& inner, const TokenLayout& layout, int64_t num_layers, QuerySelection queries,
               std::vector<int64_t> layers, attention::SpanMassOptions options = {});

  std::string name() const override { return inner_.name(); }
  std::string kernel() const override { return inner_.kernel(); }
  at::Tensor prefill(const AttentionPlan& plan, const attention::AttentionInputs& in) override;
  at::Tensor decode(const AttentionPlan& plan, const attention::AttentionInputs& in) override;

  const std::vector<SpanInfo>& spans() const { return spans_; }
  const std::vector<LayerMass>& question() const { return question_; }
  // Spans of the generated set: spans() plus "generated".
  std::vector<SpanInfo> generated_spans() const;
  const std::vector<LayerMass>& generated() const { return generated_; }
  // Milliseconds spent computing masses (left out of nothing: the caller times the whole run).
  double mass_ms() const { return mass_ms_; }

 private:
  bool wanted(int64_t layer) const;
  LayerMass summarise(int64_t layer, const at::Tensor& mass_HnS) const;

  attention::Executor& inner_;
  std::vector<SpanInfo> spans_;
  std::vector<int64_t> bounds_;
  int64_t question_begin_ = 0, length_ = 0, num_layers_ = 0;
  QuerySelection queries_;
  std::vector<int64_t> layers_;
  attention::SpanMassOptions options_;
  int64_t prefill_calls_ = 0, decode_calls_ = 0;
  std::vector<LayerMass> question_, generated_;
  double mass_ms_ = 0;
};

}  // namespace pevlm
