#include "harness/analyze/mass_recorder.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace pevlm {

std::vector<SpanInfo> analysis_spans(const TokenLayout& layout) {
  std::vector<SpanInfo> out;
  int64_t texts = 0;
  bool seen_frame = false;
  for (const Span& s : layout.spans) {
    SpanInfo info{"", "", s.begin, s.end, s.frame_index};
    if (s.kind == SpanKind::Frame) {
      info.kind = "frame";
      info.label = "frame " + std::to_string(s.frame_index);
      seen_frame = true;
    } else if (s.kind == SpanKind::Question) {
      info.kind = info.label = "question";
    } else if (!seen_frame) {
      info.kind = info.label = "system";
    } else {
      info.kind = "subtitles";
      info.label = "subtitles " + std::to_string(texts++);
    }
    // Adjacent spans of one kind (e.g. two leading text spans) stay separate segments with one label.
    out.push_back(info);
  }
  return out;
}

std::vector<int64_t> span_bounds(const std::vector<SpanInfo>& spans) {
  std::vector<int64_t> b;
  for (const SpanInfo& s : spans) b.push_back(s.begin);
  if (!spans.empty()) b.push_back(spans.back().end);
  return b;
}

MassRecorder::MassRecorder(attention::Executor& inner, const TokenLayout& layout, int64_t num_layers,
                           QuerySelection queries, std::vector<int64_t> layers, attention::SpanMassOptions options)
    : inner_(inner), spans_(analysis_spans(layout)), bounds_(span_bounds(spans_)),
      question_begin_(layout.question_begin()), length_(layout.length), num_layers_(num_layers), queries_(queries),
      layers_(std::move(layers)), options_(options) {
  for (int64_t l : layers_)
    if (l < 0 || l >= num_layers)
      throw std::invalid_argument("analysis.layers: layer " + std::to_string(l) + " is out of range; the model has " +
                                  std::to_string(num_layers) + " layers (0.." + std::to_string(num_layers - 1) + ")");
  if (queries_.question && question_begin_ >= length_)
    throw std::invalid_argument("analysis.queries: the prompt has no question span to analyse (use 'generated')");
  if (spans_.empty()) throw std::invalid_argument("analysis: the prompt layout has no spans");
}

bool MassRecorder::wanted(int64_t layer) const {
  return layers_.empty() || std::find(layers_.begin(), layers_.end(), layer) != layers_.end();
}

LayerMass MassRecorder::summarise(int64_t layer, const at::Tensor& mass_HnS) const {
  LayerMass m;
  m.layer = layer;
  m.queries = mass_HnS.size(1);
  m.mass_HS = mass_HnS.mean(1).cpu();
  m.max_sum_error = (mass_HnS.sum(2) - 1.0).abs().max().item<double>();
  return m;
}

std::vector<SpanInfo> MassRecorder::generated_spans() const {
  std::vector<SpanInfo> s = spans_;
  s.push_back(SpanInfo{"generated", "generated", length_, length_ + 1, -1});
  return s;
}

at::Tensor MassRecorder::prefill(const AttentionPlan& plan, const attention::AttentionInputs& in) {
  const int64_t layer = prefill_calls_++ % num_layers_;
  if (queries_.question && wanted(layer)) {
    const auto t0 = std::chrono::steady_clock::now();
    const int64_t n = length_ - question_begin_;
    const at::Tensor mass = attention::span_masses(plan.queries, plan.groups, in.q_LHD.narrow(0, question_begin_, n),
                                                   question_begin_, in.k_LHD, bounds_, in.scale, options_);
    question_.push_back(summarise(layer, mass));
    mass_ms_ += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }
  return inner_.prefill(plan, in);
}

at::Tensor MassRecorder::prefill_sparse(const SparsePlan& plan, const attention::AttentionInputs& in) {
  const int64_t layer = prefill_calls_++ % num_layers_;
  if (queries_.question && wanted(layer)) {
    const auto t0 = std::chrono::steady_clock::now();
    const int64_t n = length_ - question_begin_, hq = in.q_LHD.size(1), group = hq / in.k_LHD.size(1);
    std::vector<at::Tensor> per_head;
    for (int64_t h = 0; h < hq; ++h)
      per_head.push_back(attention::span_masses(sparse_head_ranges(plan, h), {LogitGroup{}},
                                                in.q_LHD.narrow(0, question_begin_, n).narrow(1, h, 1), question_begin_,
                                                in.k_LHD.narrow(1, h / group, 1), bounds_, in.scale, options_));
    question_.push_back(summarise(layer, at::cat(per_head, 0)));
    mass_ms_ += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }
  return inner_.prefill_sparse(plan, in);
}

at::Tensor MassRecorder::decode(const AttentionPlan& plan, const attention::AttentionInputs& in) {
  const int64_t call = decode_calls_++;
  const int64_t layer = call % num_layers_;
  if (queries_.generated && call < num_layers_ && wanted(layer)) {
    const auto t0 = std::chrono::steady_clock::now();
    const int64_t n = in.q_LHD.size(0), past = in.k_LHD.size(0) - n;
    std::vector<int64_t> bounds = bounds_;
    bounds.push_back(past + n);  // the generated token's own key (and any generated before it)
    const at::Tensor mass = attention::span_masses({attention::decode_query_range(plan, past, n)}, plan.groups, in.q_LHD,
                                                   past, in.k_LHD, bounds, in.scale, options_);
    generated_.push_back(summarise(layer, mass));
    mass_ms_ += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }
  return inner_.decode(plan, in);
}

}  // namespace pevlm
