#include "attention/batched/batch_grouping.h"

namespace pevlm::attention::batched {
namespace {

bool same_keys(const std::vector<KeyRange>& a, const std::vector<KeyRange>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].begin != b[i].begin || a[i].end != b[i].end || a[i].causal != b[i].causal || a[i].group != b[i].group)
      return false;
  return true;
}

// A query range is "blockish" when its last key range is itself, causal, and every other key
// range is non-causal and lies entirely before the query range (then it is shared-able).
bool is_blockish(const QueryRange& q, const std::vector<KeyRange>& keys) {
  if (keys.empty()) return false;
  const KeyRange& self = keys.back();
  if (!self.causal || self.begin != q.begin || self.end != q.end) return false;
  for (size_t i = 0; i + 1 < keys.size(); ++i)
    if (keys[i].causal || keys[i].end > q.begin) return false;
  return true;
}

void append_block(BlockRun& run, int64_t begin, int64_t size) {
  if (!run.blocks.empty() && run.blocks.back().size == size && run.blocks.back().end() == begin) {
    ++run.blocks.back().count;
  } else {
    run.blocks.push_back(EqualBlocks{begin, size, 1});
  }
  run.end = begin + size;
}

}  // namespace

int64_t BlockRun::num_ranges() const {
  int64_t n = 0;
  for (const EqualBlocks& b : blocks) n += b.count;
  return n;
}

std::vector<KeyRange> coalesce_keys(const std::vector<KeyRange>& keys) {
  std::vector<KeyRange> out;
  for (const KeyRange& k : keys) {
    if (k.size() == 0) continue;
    if (!out.empty() && !k.causal && !out.back().causal && out.back().group == k.group && out.back().end == k.begin) {
      out.back().end = k.end;
    } else {
      out.push_back(k);
    }
  }
  return out;
}

BatchSchedule schedule_plan(const AttentionPlan& plan) {
  plan.validate();
  BatchSchedule s;
  for (const QueryRange& q : plan.queries) {
    if (q.size() == 0) continue;
    std::vector<KeyRange> keys = coalesce_keys(q.keys);
    if (!is_blockish(q, keys)) {
      s.generic.push_back(GenericRange{q.begin, q.end, std::move(keys)});
      continue;
    }
    std::vector<KeyRange> shared(keys.begin(), keys.end() - 1);
    const int group = keys.back().group;
    BlockRun* last = s.runs.empty() ? nullptr : &s.runs.back();
    // Extend the previous run when this range follows it directly with the same shared keys.
    if (last != nullptr && last->end == q.begin && last->self_group == group && same_keys(last->shared, shared)) {
      append_block(*last, q.begin, q.size());
    } else {
      BlockRun run;
      run.begin = q.begin;
      run.shared = std::move(shared);
      run.self_group = group;
      append_block(run, q.begin, q.size());
      s.runs.push_back(std::move(run));
    }
  }
  for (const QueryRange& r : plan.redundant) {
    const KeyRange& k = r.keys.at(0);
    if (!s.redundant.empty() && s.redundant.back().range.begin == k.begin && s.redundant.back().range.end == k.end) {
      ++s.redundant.back().count;
    } else {
      s.redundant.push_back(BatchSchedule::Repeat{k, 1});
    }
  }
  return s;
}

}  // namespace pevlm::attention::batched
