#include "attention/fused/key_windows.h"

#include <algorithm>

namespace pevlm::attention::fused {
namespace {

int64_t round16(int64_t n) { return (n + 15) & ~int64_t(15); }

// Contiguous packed keys, some of them masked (offsets within the span).
struct Span {
  int64_t packed = 0, cols = 0;
  std::vector<int32_t> masked;
};

// Keys of the segment at packed indices [begin, end).
struct Member {
  int64_t begin = 0, end = 0;
};

// Each piece part of keys [begin, end) as a member.
void range_members(const KeyLayout& layout, int64_t begin, int64_t end, std::vector<Member>& out) {
  for (const KeyPiece* p = &layout.piece_of(begin); p->begin < end; ++p) {
    const int64_t a = std::max(begin, p->begin), b = std::min(end, p->end);
    out.push_back(Member{p->packed + (a - p->begin), p->packed + (b - p->begin)});
    if (p->end >= end) break;
  }
}

// A segment's columns as positions in its head's region (key_layout.h), consecutive ones merged.
void column_members(const Segment& seg, const KeyLayout& layout, std::vector<Member>& out) {
  const ColumnRegion& r = layout.region_of(seg.q_head);
  for (int32_t c : seg.columns) {
    const int64_t x = r.packed + (std::lower_bound(r.keys.begin(), r.keys.end(), c) - r.keys.begin());
    if (!out.empty() && out.back().end == x) ++out.back().end;
    else out.push_back(Member{x, x + 1});
  }
}

// Members (disjoint) as spans starting and ending on the packed `grid` (1: anywhere; 2: the bf16 VNNI
// key pairs; 16: the uncut layout's windows, see plan_key_windows), members whose widened extents
// touch sharing a span; columns of a span that hold no member are masked.
std::vector<Span> coalesce(std::vector<Member> members, int64_t grid) {
  std::sort(members.begin(), members.end(), [](const Member& a, const Member& b) { return a.begin < b.begin; });
  std::vector<Span> out;
  Span cur;
  int64_t member_end = 0, span_end = 0;
  auto mask = [&](int64_t from, int64_t to) {
    for (int64_t x = from; x < to; ++x) cur.masked.push_back(int32_t(x - cur.packed));
  };
  auto close = [&] {
    mask(member_end, span_end);
    cur.cols = span_end - cur.packed;
    out.push_back(std::move(cur));
    cur = Span{};
  };
  bool open = false;
  for (const Member& m : members) {
    const int64_t a = m.begin / grid * grid, b = (m.end + grid - 1) / grid * grid;
    if (open && a <= span_end) {
      mask(member_end, m.begin);
    } else {
      if (open) close();
      cur.packed = a;
      mask(a, m.begin);
      open = true;
    }
    member_end = m.end;
    span_end = std::max(span_end, b);
  }
  if (open) close();
  return out;
}

// Concatenates the spans of one group and cuts them into equal windows of at most max_cols columns.
void gather_windows(int group, const std::vector<Span>& spans, int64_t max_cols, bool fixed_ld, std::vector<KeyWindow>& out) {
  int64_t total = 0;
  for (const Span& s : spans) total += s.cols;
  if (total == 0) return;
  const int64_t windows = (total + max_cols - 1) / max_cols, step = round16((total + windows - 1) / windows);
  KeyWindow w;
  auto close = [&] {
    w.ld = fixed_ld ? max_cols : w.cols;
    if (w.cols > int64_t(w.masked.size())) out.push_back(std::move(w));  // never a window of masked columns only
    w = KeyWindow{};
  };
  for (const Span& s : spans) {
    size_t mi = 0;
    for (int64_t off = 0; off < s.cols;) {
      w.group = group;
      const int64_t take = std::min(s.cols - off, step - w.cols);
      WindowChunk& prev = w.chunks.empty() ? w.chunks.emplace_back(WindowChunk{s.packed + off, 0, w.cols}) : w.chunks.back();
      if (prev.packed + prev.cols == s.packed + off && prev.s_col + prev.cols == w.cols) prev.cols += take;  // contiguous: one GEMM
      else w.chunks.push_back(WindowChunk{s.packed + off, take, w.cols});
      for (; mi < s.masked.size() && s.masked[mi] < off + take; ++mi) w.masked.push_back(int32_t(w.cols + s.masked[mi] - off));
      w.cols += take;
      off += take;
      if (w.cols == step) close();
    }
  }
  if (w.cols > 0) close();
}

void causal_windows(const SegmentKeys& kr, const KeyLayout& layout, int64_t key_end, bool even_pairs, int64_t max_cols,
                    std::vector<KeyWindow>& out) {
  for (const KeyPiece* p = &layout.piece_of(kr.begin); p->begin < key_end; ++p) {
    const int64_t a = std::max(kr.begin, p->begin), b = std::min(key_end, p->end), packed = p->packed + (a - p->begin);
    const int64_t lead = even_pairs ? (packed & 1) : 0, n = b - a + lead;
    const int64_t tiles = (n + max_cols - 1) / max_cols, step = round16((n + tiles - 1) / tiles);
    for (int64_t off = 0; off < n; off += step) {
      KeyWindow w;
      w.group = kr.group;
      w.causal = true;
      w.causal_key0 = a - lead + off;
      w.lead = int32_t(off == 0 ? lead : 0);
      w.causal_cols = std::min(step, n - off);
      w.cols = even_pairs ? (w.causal_cols + 1) & ~int64_t(1) : w.causal_cols;
      w.ld = w.cols;
      w.chunks.push_back(WindowChunk{packed - lead + off, w.cols, 0});
      out.push_back(std::move(w));
    }
    if (p->end >= key_end) break;
  }
}

}  // namespace

std::vector<KeyWindow> plan_key_windows(const Segment& seg, const KeyLayout& layout, int64_t last_pos, bool even_pairs,
                                        int64_t max_cols) {
  // Members per logit group, groups in order of first appearance.
  std::vector<int> groups;
  std::vector<std::vector<Member>> members;
  auto members_of = [&](int g) -> std::vector<Member>& {
    const auto it = std::find(groups.begin(), groups.end(), g);
    if (it != groups.end()) return members[size_t(it - groups.begin())];
    groups.push_back(g);
    return members.emplace_back();
  };
  if (!seg.columns.empty()) column_members(seg, layout, members_of(0));
  for (const SegmentKeys& kr : seg.keys)
    if (!kr.causal && kr.end > kr.begin) range_members(layout, kr.begin, kr.end, members_of(kr.group));
  // The uncut layout (per-head sparse plans) puts spans on the 16-key grid: every GEMM then has a
  // width that is a multiple of 16 and an aligned K^T start, so the brgemm kernels (one JIT kernel
  // per shape, cached per thread) see a few dozen shapes, not one per span length.
  const int64_t grid = layout.uncut ? 16 : even_pairs ? 2 : 1;
  std::vector<KeyWindow> out;
  // Cut layouts (static plans, decode) split each range on its own, as equal windows along it: their
  // few large ranges gain nothing from gathering, and a decode step's growing generated range would
  // otherwise re-cut every window of the prefix each step -- new GEMM shapes every step, each one a
  // brgemm JIT compile (StD's verify steps ran 15-50x slower with two processes on two cores).
  for (size_t i = 0; i < groups.size(); ++i) {
    if (layout.uncut) {
      gather_windows(groups[i], coalesce(std::move(members[i]), grid), max_cols, true, out);
      continue;
    }
    for (const Member& m : members[i]) gather_windows(groups[i], coalesce({m}, grid), max_cols, false, out);
  }
  for (const SegmentKeys& kr : seg.keys) {
    if (!kr.causal) continue;
    const int64_t key_end = std::min(kr.end, last_pos + 1);  // no key past the tile's last query
    if (key_end > kr.begin) causal_windows(kr, layout, key_end, even_pairs, max_cols, out);
  }
  return out;
}

}  // namespace pevlm::attention::fused
