#include "harness/analyze/analysis_record.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <functional>

namespace pevlm {
namespace {

std::vector<double> to_vector(const at::Tensor& t) {
  const at::Tensor c = t.to(at::kDouble).contiguous().cpu();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

std::vector<double> frames_only(const std::vector<SpanInfo>& spans, const std::vector<double>& mass) {
  std::vector<double> f;
  double sum = 0;
  for (size_t s = 0; s < spans.size(); ++s)
    if (spans[s].kind == "frame") f.push_back(mass[s]), sum += mass[s];
  if (sum > 0)
    for (double& v : f) v /= sum;
  return f;
}

std::vector<double> mean_over(size_t n, const std::function<std::vector<double>(size_t)>& row) {
  std::vector<double> acc;
  for (size_t i = 0; i < n; ++i) {
    const std::vector<double> v = row(i);
    if (acc.empty()) acc.assign(v.size(), 0.0);
    for (size_t k = 0; k < v.size(); ++k) acc[k] += v[k] / double(n);
  }
  return acc;
}

}  // namespace

std::vector<double> QuerySetMass::span_mass(size_t i) const { return to_vector(layers.at(i).mass_HS.mean(0)); }

std::vector<double> QuerySetMass::frame_distribution(size_t i) const { return frames_only(spans, span_mass(i)); }

std::vector<double> QuerySetMass::mean_span_mass() const {
  return mean_over(layers.size(), [&](size_t i) { return span_mass(i); });
}

std::vector<double> QuerySetMass::mean_frame_distribution() const {
  return mean_over(layers.size(), [&](size_t i) { return frame_distribution(i); });
}

double QuerySetMass::max_sum_error() const {
  double e = 0;
  for (const LayerMass& l : layers) e = std::max(e, l.max_sum_error);
  return e;
}

std::vector<nlohmann::json> record_rows(const AnalysisRecord& r, bool per_head, const nlohmann::json& provenance) {
  std::vector<nlohmann::json> rows;
  for (const QuerySetMass& set : r.sets) {
    nlohmann::json spans = nlohmann::json::array();
    for (const SpanInfo& s : set.spans)
      spans.push_back({{"label", s.label}, {"kind", s.kind}, {"begin", s.begin}, {"end", s.end}});
    nlohmann::json layers = nlohmann::json::array();
    for (size_t i = 0; i < set.layers.size(); ++i) {
      const LayerMass& l = set.layers[i];
      nlohmann::json layer = {{"layer", l.layer},
                              {"queries", l.queries},
                              {"max_sum_error", l.max_sum_error},
                              {"mass", set.span_mass(i)},
                              {"frames", set.frame_distribution(i)}};
      if (per_head) {
        nlohmann::json heads = nlohmann::json::array();
        for (int64_t h = 0; h < l.mass_HS.size(0); ++h) heads.push_back(to_vector(l.mass_HS[h]));
        layer["per_head"] = heads;
      }
      layers.push_back(layer);
    }
    nlohmann::json row = {{"key", r.sample_id + "|" + r.method.label() + "|" + set.query_set},
                          {"sample_id", r.sample_id},
                          {"label", r.method.label()},
                          {"method", r.method.name},
                          {"params", r.method.params},
                          {"query_set", set.query_set},
                          {"tokens", r.layout.length},
                          {"frames", r.layout.num_frames()},
                          {"spans", spans},
                          {"layers", layers},
                          {"max_sum_error", set.max_sum_error()},
                          {"provenance", provenance}};
    row.update(r.extra);
    rows.push_back(row);
  }
  return rows;
}

}  // namespace pevlm
