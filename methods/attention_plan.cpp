#include "methods/attention_plan.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace pevlm {
namespace {

std::string range_str(int64_t b, int64_t e) { return "[" + std::to_string(b) + ", " + std::to_string(e) + ")"; }

// Pairs (i, j) a query range attends through one key range.
int64_t pairs_of(const QueryRange& q, const KeyRange& k) {
  if (k.causal) return q.size() * (q.size() + 1) / 2;
  return q.size() * k.size();
}

}  // namespace

void AttentionPlan::validate() const {
  const std::string who = "AttentionPlan(" + method + ")";
  if (groups.empty()) throw std::logic_error(who + ": no logit groups");
  if (positions.length != length) throw std::logic_error(who + ": positions length differs from plan length");
  int64_t cursor = 0;
  for (const QueryRange& q : queries) {
    const std::string where = who + " query range " + range_str(q.begin, q.end) + " (" + q.role + ")";
    if (q.begin != cursor) throw std::logic_error(where + ": expected to start at " + std::to_string(cursor));
    if (q.end <= q.begin) throw std::logic_error(where + ": empty");
    if (q.keys.empty()) throw std::logic_error(where + ": sees no keys");
    std::vector<KeyRange> sorted = q.keys;
    std::sort(sorted.begin(), sorted.end(), [](const KeyRange& a, const KeyRange& b) { return a.begin < b.begin; });
    for (size_t i = 0; i < sorted.size(); ++i) {
      const KeyRange& k = sorted[i];
      const std::string kw = where + ", key range " + range_str(k.begin, k.end);
      if (k.begin < 0 || k.end > length || k.end <= k.begin) throw std::logic_error(kw + ": out of bounds or empty");
      if (k.group < 0 || k.group >= int(groups.size())) throw std::logic_error(kw + ": unknown group");
      if (k.causal && (k.begin != q.begin || k.end != q.end))
        throw std::logic_error(kw + ": a causal key range must equal its query range");
      if (!k.causal && k.end > q.begin) throw std::logic_error(kw + ": a non-causal key range reaches the query range or later");
      if (i > 0 && sorted[i - 1].end > k.begin) throw std::logic_error(kw + ": overlaps another key range");
    }
    cursor = q.end;
  }
  if (cursor != length) throw std::logic_error(who + ": query ranges cover " + std::to_string(cursor) + " of " + std::to_string(length));
  for (const QueryRange& r : redundant)
    if (r.keys.size() != 1 || !r.keys[0].causal || r.keys[0].begin != r.begin || r.keys[0].end != r.end || r.end > length)
      throw std::logic_error(who + ": redundant range " + range_str(r.begin, r.end) + " must be one causal self range");
  for (const KeyRange& k : decode_keys)
    if (k.begin < 0 || k.end > length || k.causal || k.group < 0 || k.group >= int(groups.size()))
      throw std::logic_error(who + ": bad decode key range " + range_str(k.begin, k.end));
}

std::vector<int8_t> AttentionPlan::dense_groups() const {
  std::vector<int8_t> g(size_t(length) * size_t(length), -1);
  for (const QueryRange& q : queries)
    for (const KeyRange& k : q.keys)
      for (int64_t i = q.begin; i < q.end; ++i) {
        const int64_t jend = k.causal ? i + 1 : k.end;
        for (int64_t j = k.begin; j < jend; ++j) g[size_t(i) * length + j] = int8_t(k.group);
      }
  return g;
}

std::vector<uint8_t> AttentionPlan::dense_mask() const {
  const std::vector<int8_t> g = dense_groups();
  std::vector<uint8_t> m(g.size());
  for (size_t i = 0; i < g.size(); ++i) m[i] = g[i] >= 0 ? 1 : 0;
  return m;
}

int64_t AttentionPlan::attended_pairs() const {
  int64_t total = 0;
  for (const QueryRange& q : queries)
    for (const KeyRange& k : q.keys) total += pairs_of(q, k);
  return total;
}

int64_t AttentionPlan::redundant_tokens() const {
  int64_t n = 0;
  for (const QueryRange& r : redundant) n += r.size();
  return n;
}

double AttentionPlan::flops(int64_t num_heads, int64_t head_dim) const {
  // QK^T and PV: 2 * D FLOPs each per (query, key) pair and head; redundant work included.
  int64_t pairs = attended_pairs();
  for (const QueryRange& r : redundant) pairs += pairs_of(r, r.keys[0]);
  return 4.0 * double(num_heads) * double(head_dim) * double(pairs);
}

double AttentionPlan::paper_eq10_flops(int64_t hidden) const {
  double sum = 0;
  for (const QueryRange& q : queries)
    for (const KeyRange& k : q.keys) sum += double(q.size()) * double(k.size());
  return 2.0 * double(hidden) * sum;
}

nlohmann::json AttentionPlan::token_counts() const {
  nlohmann::json counts = {{"total", length}, {"sink", 0}, {"question", 0}, {"blocks", nlohmann::json::array()}};
  for (const QueryRange& q : queries) {
    if (q.role == "block") counts["blocks"].push_back(q.size());
    else if (q.role == "question") counts["question"] = counts["question"].get<int64_t>() + q.size();
    else if (q.role == "sink" || q.role == "prefix" || q.role == "anchor")
      counts["sink"] = counts["sink"].get<int64_t>() + q.size();
  }
  counts["num_blocks"] = counts["blocks"].size();
  return counts;
}

AttentionPlan make_full_plan(const TokenLayout& layout) {
  AttentionPlan plan;
  plan.method = "full";
  plan.params = nlohmann::json::object();
  plan.length = layout.length;
  plan.positions = layout.positions;
  if (layout.length > 0)
    plan.queries.push_back(QueryRange{0, layout.length, "all", -1, {KeyRange{0, layout.length, true, 0}}});
  plan.decode_keys = {KeyRange{0, layout.length, false, 0}};
  if (layout.length == 0) plan.decode_keys.clear();
  return plan;
}

}  // namespace pevlm
