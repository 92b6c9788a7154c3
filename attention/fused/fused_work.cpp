#include "attention/fused/fused_work.h"

#include <algorithm>

namespace pevlm::attention::fused {
namespace {

std::vector<SegmentKeys> convert(const std::vector<KeyRange>& keys) {
  std::vector<SegmentKeys> out;
  for (const KeyRange& k : keys)
    if (k.size() > 0) out.push_back(SegmentKeys{k.begin, k.end, k.causal, k.group});
  return out;
}

// Keys visited by query rows [t0, t1) of `s`: causal ranges stop at the tile's last position.
double visited_keys(const Segment& s, int64_t t0, int64_t t1) {
  double n = 0;
  const int64_t last_pos = s.pos0 + (t1 - 1 - s.q_begin);
  for (const SegmentKeys& k : s.keys) n += double(k.causal ? std::min(k.end, last_pos + 1) - k.begin : k.end - k.begin);
  return n;
}

// How many one-head segments from `si` on run as one item (WorkItem::heads): consecutive query heads
// of one KV head over the same rows, when those rows are at most kHeadGroupMaxRows.
int32_t grouped_heads(const std::vector<Segment>& segments, size_t si, int64_t heads_per_kv) {
  const Segment& s = segments[si];
  if (s.q_head < 0 || s.q_end - s.q_begin > kHeadGroupMaxRows) return 1;
  int32_t n = 1;
  for (size_t j = si + 1; j < segments.size(); ++j, ++n) {
    const Segment& t = segments[j];
    if (t.q_head != s.q_head + n || t.q_head / heads_per_kv != s.q_head / heads_per_kv || t.q_begin != s.q_begin ||
        t.q_end != s.q_end || t.pos0 != s.pos0 || t.discard != s.discard)
      break;
  }
  return n;
}

}  // namespace

std::vector<Segment> prefill_segments(const AttentionPlan& plan) {
  std::vector<Segment> segs;
  for (const QueryRange& q : plan.queries) {
    if (q.size() == 0) continue;
    segs.push_back(Segment{q.begin, q.end, q.begin, false, convert(q.keys)});
  }
  for (const QueryRange& r : plan.redundant)
    if (r.size() > 0) segs.push_back(Segment{r.begin, r.end, r.begin, true, convert(r.keys)});
  return segs;
}

std::vector<Segment> decode_segments(const AttentionPlan& plan, int64_t n, int64_t past) {
  Segment s{0, n, past, false, convert(plan.decode_keys)};
  if (past > plan.length) s.keys.push_back(SegmentKeys{plan.length, past, false, 0});
  s.keys.push_back(SegmentKeys{past, past + n, true, 0});
  return {s};
}

int64_t query_tile_tokens(int64_t heads_per_kv, int64_t target_rows) {
  return std::max<int64_t>(1, target_rows / std::max<int64_t>(1, heads_per_kv));
}

std::vector<WorkItem> make_work_items(const std::vector<Segment>& segments, int64_t kv_heads, int64_t heads_per_kv,
                                      int64_t target_rows) {
  std::vector<WorkItem> items;
  for (size_t si = 0; si < segments.size(); ++si) {
    const Segment& s = segments[si];
    const bool one_head = s.q_head >= 0;
    if (const int32_t n = grouped_heads(segments, si, heads_per_kv); n > 1) {
      double cost = 0;
      for (size_t j = si; j < si + size_t(n); ++j) cost += double(s.q_end - s.q_begin) * (visited_keys(segments[j], s.q_begin, s.q_end) + double(segments[j].columns.size()));
      items.push_back(WorkItem{int32_t(si), int32_t(s.q_head / heads_per_kv), s.q_begin, s.q_end, cost, n});
      si += size_t(n) - 1;
      continue;
    }
    const int64_t tile_tokens = query_tile_tokens(one_head ? 1 : heads_per_kv, target_rows);
    for (int64_t t0 = s.q_begin; t0 < s.q_end; t0 += tile_tokens) {
      const int64_t t1 = std::min(s.q_end, t0 + tile_tokens);
      const double cost = double(t1 - t0) * (visited_keys(s, t0, t1) + double(s.columns.size()));
      if (one_head) items.push_back(WorkItem{int32_t(si), int32_t(s.q_head / heads_per_kv), t0, t1, cost});
      else
        for (int64_t h = 0; h < kv_heads; ++h) items.push_back(WorkItem{int32_t(si), int32_t(h), t0, t1, cost});
    }
  }
  // Items of one (segment, KV head) share its key windows: keep them together, largest group first
  // and, within a group, largest tile first, so both cores pull from the same K/V (hot in the caches)
  // while the smallest tiles still come last for the balance at the end.
  std::vector<double> group_cost(segments.size() * size_t(kv_heads), 0.0);
  for (const WorkItem& it : items) group_cost[size_t(it.segment) * size_t(kv_heads) + size_t(it.kv_head)] += it.cost;
  std::stable_sort(items.begin(), items.end(), [&](const WorkItem& a, const WorkItem& b) {
    const size_t ga = size_t(a.segment) * size_t(kv_heads) + size_t(a.kv_head), gb = size_t(b.segment) * size_t(kv_heads) + size_t(b.kv_head);
    if (ga != gb) return group_cost[ga] != group_cost[gb] ? group_cost[ga] > group_cost[gb] : ga < gb;
    return a.cost > b.cost;
  });
  return items;
}

}  // namespace pevlm::attention::fused
