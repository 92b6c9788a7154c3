// Prefix plans for prefix reuse; see prefix_plan.h.
#include "methods/prefix_plan.h"

#include <stdexcept>
#include <vector>

namespace pevlm {
namespace {

std::string range_text(int64_t b, int64_t e) { return "[" + std::to_string(b) + ", " + std::to_string(e) + ")"; }

[[noreturn]] void cannot_split(const AttentionPlan& plan, int64_t p, const std::string& why) {
  throw std::logic_error("prefix plan of method '" + plan.method + "' at token " + std::to_string(p) + " of " +
                         std::to_string(plan.length) + ": " + why);
}

// The suffix's keys before P: every key range of `q` but its own causal range, all lying before P;
// a range that starts before P (crossing P) contributes [q.begin, P) as a whole key range of its group.
std::vector<KeyRange> keys_before(const AttentionPlan& plan, const QueryRange& q, int64_t p) {
  std::vector<KeyRange> before;
  bool self_seen = false;
  for (const KeyRange& k : q.keys) {
    if (k.causal) {
      if (k.begin != q.begin || k.end != q.end || k.group != 0)
        cannot_split(plan, p, "the range " + range_text(q.begin, q.end) + " must attend to itself causally in group 0");
      self_seen = true;
      if (q.begin < p) before.push_back(KeyRange{q.begin, p, false, k.group});
      continue;
    }
    if (k.end > q.begin && q.begin < p)
      cannot_split(plan, p, "the range " + range_text(q.begin, q.end) + " crossing the prefix end sees keys " +
                                range_text(k.begin, k.end) + " inside itself non-causally");
    if (k.end > p) cannot_split(plan, p, "the suffix sees keys " + range_text(k.begin, k.end) + " past the prefix end");
    before.push_back(k);
  }
  if (!self_seen) cannot_split(plan, p, "the range " + range_text(q.begin, q.end) + " does not attend to itself causally");
  return before;
}

template <class T, class Eq>
std::string list_difference(const char* what, const std::vector<T>& a, const std::vector<T>& b, Eq eq) {
  if (a.size() != b.size())
    return std::string(what) + ": " + std::to_string(a.size()) + " vs " + std::to_string(b.size()) + " entries";
  for (size_t i = 0; i < a.size(); ++i) {
    const std::string d = eq(a[i], b[i]);
    if (!d.empty()) return std::string(what) + "[" + std::to_string(i) + "]: " + d;
  }
  return "";
}

std::string key_difference(const KeyRange& a, const KeyRange& b) {
  if (a.begin == b.begin && a.end == b.end && a.causal == b.causal && a.group == b.group) return "";
  auto text = [](const KeyRange& k) {
    return range_text(k.begin, k.end) + (k.causal ? " causal" : "") + " group " + std::to_string(k.group);
  };
  return text(a) + " vs " + text(b);
}

std::string query_difference(const QueryRange& a, const QueryRange& b) {
  if (a.begin != b.begin || a.end != b.end) return range_text(a.begin, a.end) + " vs " + range_text(b.begin, b.end);
  if (a.role != b.role || a.block_index != b.block_index)
    return "role " + a.role + "/" + std::to_string(a.block_index) + " vs " + b.role + "/" + std::to_string(b.block_index);
  return list_difference("keys", a.keys, b.keys, key_difference);
}

}  // namespace

AttentionPlan prefix_plan(const AttentionPlan& plan, int64_t p) {
  if (p <= 0 || p >= plan.length) cannot_split(plan, p, "the prefix must be a proper, non-empty part of the prompt");
  AttentionPlan out;
  out.method = plan.method;
  out.params = plan.params;
  out.length = p;
  out.groups = plan.groups;
  const QueryRange* suffix = nullptr;
  for (const QueryRange& q : plan.queries) {
    if (q.end <= p) {
      out.queries.push_back(q);
      continue;
    }
    if (suffix != nullptr)
      cannot_split(plan, p, "the rows after the prefix are not one query range (" + range_text(suffix->begin, suffix->end) +
                                " and " + range_text(q.begin, q.end) + ")");
    if (q.end != plan.length) cannot_split(plan, p, "the last query range ends at " + std::to_string(q.end));
    suffix = &q;
  }
  if (suffix == nullptr) cannot_split(plan, p, "no query range reaches past the prefix");
  out.decode_keys = keys_before(plan, *suffix, p);
  if (suffix->begin < p) {  // a range crossing P (full attention's one range): its rows before P, cut there
    QueryRange head = *suffix;
    head.end = p;
    for (KeyRange& k : head.keys)
      if (k.causal) k.end = p;
    out.queries.push_back(std::move(head));
  }
  for (const QueryRange& r : plan.redundant) {
    if (r.end > p) cannot_split(plan, p, "redundant work " + range_text(r.begin, r.end) + " reaches past the prefix");
    out.redundant.push_back(r);
  }
  out.positions = PositionIds(plan.positions.axes, p);
  for (int a = 0; a < plan.positions.axes; ++a)
    for (int64_t i = 0; i < p; ++i) out.positions.at(a, i) = plan.positions.at(a, i);
  out.validate();
  return out;
}

std::string plan_difference(const AttentionPlan& a, const AttentionPlan& b) {
  if (a.method != b.method) return "method " + a.method + " vs " + b.method;
  if (a.params != b.params) return "params " + a.params.dump() + " vs " + b.params.dump();
  if (a.length != b.length) return "length " + std::to_string(a.length) + " vs " + std::to_string(b.length);
  if (std::string d = list_difference("queries", a.queries, b.queries, query_difference); !d.empty()) return d;
  auto group_difference = [](const LogitGroup& x, const LogitGroup& y) -> std::string {
    if (x.name == y.name && x.temperature == y.temperature && x.weight_exponent == y.weight_exponent) return "";
    return x.name + " vs " + y.name + " (temperature / weight exponent)";
  };
  if (std::string d = list_difference("groups", a.groups, b.groups, group_difference); !d.empty()) return d;
  if (!(a.positions == b.positions)) {
    if (a.positions.axes != b.positions.axes || a.positions.length != b.positions.length) return "position shapes differ";
    for (int ax = 0; ax < a.positions.axes; ++ax)
      for (int64_t i = 0; i < a.positions.length; ++i)
        if (a.positions.at(ax, i) != b.positions.at(ax, i))
          return "position of token " + std::to_string(i) + " axis " + std::to_string(ax) + ": " +
                 std::to_string(a.positions.at(ax, i)) + " vs " + std::to_string(b.positions.at(ax, i));
  }
  if (std::string d = list_difference("decode_keys", a.decode_keys, b.decode_keys, key_difference); !d.empty()) return d;
  return list_difference("redundant", a.redundant, b.redundant, query_difference);
}

}  // namespace pevlm
