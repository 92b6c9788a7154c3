#include "harness/analyze/analysis_tables.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <stdexcept>
#include <tuple>

#include "harness/table.h"

namespace pevlm {
namespace {

constexpr double kEps = 1e-12;

std::vector<double> normalised(const std::vector<double>& v) {
  const double s = std::accumulate(v.begin(), v.end(), 0.0);
  std::vector<double> out(v.size(), 0.0);
  if (s > 0)
    for (size_t i = 0; i < v.size(); ++i) out[i] = std::max(v[i], 0.0) / s;
  return out;
}

double kl(const std::vector<double>& p, const std::vector<double>& q) {
  double d = 0;
  for (size_t i = 0; i < p.size(); ++i)
    if (p[i] > 0) d += p[i] * std::log(p[i] / std::max(q[i], kEps));
  return d;
}

// Running sums of the six divergences for one table row.
struct Sums {
  nlohmann::json head;
  double v[6] = {0, 0, 0, 0, 0, 0};
  int64_t n = 0;
  void add(const Divergence& frames, const Divergence& spans) {
    const double x[6] = {frames.kl, frames.js, frames.tv, spans.kl, spans.js, spans.tv};
    for (int i = 0; i < 6; ++i) v[i] += x[i];
    ++n;
  }
  nlohmann::json row() const {
    nlohmann::json r = head;
    const char* keys[6] = {"kl_frames", "js_frames", "tv_frames", "kl_spans", "js_spans", "tv_spans"};
    for (int i = 0; i < 6; ++i) r[keys[i]] = n ? v[i] / double(n) : 0.0;
    r["samples"] = n;
    return r;
  }
};

const QuerySetMass* find_set(const AnalysisRecord& r, const std::string& name) {
  for (const QuerySetMass& s : r.sets)
    if (s.query_set == name) return &s;
  return nullptr;
}

nlohmann::json row_head(const AnalysisRecord& r, const std::string& set, const nlohmann::json& layer) {
  return {{"label", r.method.label()}, {"method", r.method.name}, {"params", r.method.params}, {"query_set", set}, {"layer", layer}};
}

}  // namespace

Divergence divergence(const std::vector<double>& p_in, const std::vector<double>& q_in) {
  if (p_in.size() != q_in.size())
    throw std::invalid_argument("divergence: distributions of " + std::to_string(p_in.size()) + " and " +
                                std::to_string(q_in.size()) + " entries");
  const std::vector<double> p = normalised(p_in), q = normalised(q_in);
  std::vector<double> m(p.size());
  Divergence d;
  for (size_t i = 0; i < p.size(); ++i) {
    m[i] = 0.5 * (p[i] + q[i]);
    d.tv += 0.5 * std::abs(p[i] - q[i]);
  }
  d.kl = kl(p, q);
  d.js = 0.5 * (kl(p, m) + kl(q, m));
  return d;
}

std::vector<nlohmann::json> divergence_rows(const std::vector<AnalysisRecord>& records) {
  std::map<std::string, const AnalysisRecord*> full;  // sample -> its full-attention record
  for (const AnalysisRecord& r : records)
    if (r.method.name == "full") full[r.sample_id] = &r;
  std::vector<std::tuple<std::string, std::string, std::string>> order;
  std::map<std::tuple<std::string, std::string, std::string>, Sums> sums;
  auto slot = [&](const AnalysisRecord& r, const std::string& set, const nlohmann::json& layer) -> Sums& {
    const auto key = std::make_tuple(r.method.label(), set, layer.dump());
    if (!sums.count(key)) {
      order.push_back(key);
      sums[key].head = row_head(r, set, layer);
    }
    return sums[key];
  };
  for (const AnalysisRecord& r : records) {
    auto it = full.find(r.sample_id);
    if (r.method.name == "full" || it == full.end()) continue;
    for (const QuerySetMass& set : r.sets) {
      const QuerySetMass* ref = find_set(*it->second, set.query_set);
      if (!ref || ref->layers.size() != set.layers.size() || ref->spans.size() != set.spans.size())
        throw std::logic_error("divergence: " + r.sample_id + " " + r.method.label() + " " + set.query_set +
                               " does not match the full-attention record's layers/spans");
      Divergence mf, ms;
      for (size_t i = 0; i < set.layers.size(); ++i) {
        const Divergence f = divergence(ref->frame_distribution(i), set.frame_distribution(i));
        const Divergence s = divergence(ref->span_mass(i), set.span_mass(i));
        slot(r, set.query_set, set.layers[i].layer).add(f, s);
        const double n = double(set.layers.size());
        mf.kl += f.kl / n, mf.js += f.js / n, mf.tv += f.tv / n;
        ms.kl += s.kl / n, ms.js += s.js / n, ms.tv += s.tv / n;
      }
      slot(r, set.query_set, "mean").add(mf, ms);
    }
  }
  std::vector<nlohmann::json> rows;
  for (const auto& key : order) rows.push_back(sums[key].row());
  return rows;
}

std::vector<nlohmann::json> mass_rows(const std::vector<AnalysisRecord>& records) {
  struct Acc {
    nlohmann::json head;
    double mass = 0, share = 0;
    int64_t n = 0;
  };
  std::vector<std::string> order;
  std::map<std::string, Acc> acc;
  auto add = [&](const AnalysisRecord& r, const QuerySetMass& set, const nlohmann::json& layer,
                 const std::vector<double>& mass, const std::vector<double>& frames) {
    size_t f = 0;
    for (size_t s = 0; s < set.spans.size(); ++s) {
      const SpanInfo& sp = set.spans[s];
      const std::string key = r.method.label() + "|" + set.query_set + "|" + layer.dump() + "|" + sp.label;
      if (!acc.count(key)) {
        order.push_back(key);
        nlohmann::json h = row_head(r, set.query_set, layer);
        h["span"] = sp.label;
        h["kind"] = sp.kind;
        h["frame_index"] = sp.kind == "frame" ? nlohmann::json(sp.frame_index) : nlohmann::json(nullptr);
        acc[key].head = h;
      }
      Acc& a = acc[key];
      a.mass += mass[s];
      if (sp.kind == "frame") a.share += frames.at(f++);
      a.n += 1;
    }
  };
  for (const AnalysisRecord& r : records)
    for (const QuerySetMass& set : r.sets) {
      for (size_t i = 0; i < set.layers.size(); ++i) add(r, set, set.layers[i].layer, set.span_mass(i), set.frame_distribution(i));
      add(r, set, "mean", set.mean_span_mass(), set.mean_frame_distribution());
    }
  std::vector<nlohmann::json> rows;
  for (const auto& key : order) {
    const Acc& a = acc[key];
    nlohmann::json row = a.head;
    row["mass"] = a.mass / double(a.n);
    row["frame_share"] = row["kind"] == "frame" ? nlohmann::json(a.share / double(a.n)) : nlohmann::json(nullptr);
    row["samples"] = a.n;
    rows.push_back(row);
  }
  return rows;
}

std::string divergence_markdown(const std::vector<nlohmann::json>& rows) {
  std::vector<nlohmann::json> mean_rows;
  for (const auto& r : rows)
    if (r["layer"] == "mean") mean_rows.push_back(r);
  const std::vector<Column> cols = {{"label", "configuration"}, {"query_set", "queries"}, {"samples", "samples"},
                                    {"js_frames", "JS frames", 4},  {"kl_frames", "KL frames", 4}, {"tv_frames", "TV frames", 4},
                                    {"js_spans", "JS spans", 4},    {"kl_spans", "KL spans", 4},   {"tv_spans", "TV spans", 4}};
  return "Divergence of each configuration's attention distribution from full attention's on the same sample, "
         "averaged over layers, then over samples: KL(full || method), Jensen-Shannon and total variation, over "
         "the video frames only (frames renormalised) and over all spans (system, frames, subtitles, question). "
         "Lower = closer to full attention.\n\n" +
         to_markdown(cols, mean_rows);
}

}  // namespace pevlm
