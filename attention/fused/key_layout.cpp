#include "attention/fused/key_layout.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace pevlm::attention::fused {
namespace {

int64_t round16(int64_t n) { return (n + 15) & ~int64_t(15); }

KeyLayout from_cuts(std::vector<int64_t> cuts, int64_t keys) {
  cuts.push_back(0);
  cuts.push_back(keys);
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  KeyLayout layout;
  layout.keys = keys;
  int64_t packed = 0;
  for (size_t i = 0; i + 1 < cuts.size(); ++i) {
    layout.pieces.push_back(KeyPiece{cuts[i], cuts[i + 1], packed});
    packed = round16(packed + cuts[i + 1] - cuts[i]);
  }
  layout.packed_keys = std::max<int64_t>(16, packed);
  return layout;
}

}  // namespace

const KeyPiece& KeyLayout::piece_of(int64_t j) const {
  const auto it = std::upper_bound(pieces.begin(), pieces.end(), j, [](int64_t key, const KeyPiece& p) { return key < p.end; });
  if (it == pieces.end() || j < it->begin) throw std::out_of_range("key layout: key " + std::to_string(j) + " outside [0, " + std::to_string(keys) + ")");
  return *it;
}

const ColumnRegion& KeyLayout::region_of(int32_t q_head) const {
  for (const ColumnRegion& r : regions)
    if (r.q_head == q_head) return r;
  throw std::out_of_range("key layout: no column region for query head " + std::to_string(q_head));
}

namespace {

void check_ranges(const std::vector<Segment>& segments, int64_t keys) {
  for (const Segment& s : segments)
    for (const SegmentKeys& k : s.keys)
      if (k.begin < 0 || k.end > keys || k.begin > k.end)
        throw std::invalid_argument("key layout: key range [" + std::to_string(k.begin) + ", " + std::to_string(k.end) +
                                    ") outside the call's " + std::to_string(keys) + " keys");
}

}  // namespace

KeyLayout make_key_layout(const std::vector<Segment>& segments, int64_t keys) {
  check_ranges(segments, keys);
  std::vector<int64_t> cuts;
  for (const Segment& s : segments) {
    if (!s.columns.empty()) throw std::invalid_argument("key layout: segments with single key columns need make_uncut_key_layout");
    for (const SegmentKeys& k : s.keys) {
      cuts.push_back(k.begin);
      cuts.push_back(k.end);
    }
  }
  return from_cuts(std::move(cuts), keys);
}

KeyLayout make_uncut_key_layout(const std::vector<Segment>& segments, int64_t keys, int64_t heads_per_kv) {
  check_ranges(segments, keys);
  KeyLayout layout = from_cuts({}, keys);
  layout.uncut = true;
  // Per head, the set of its columns: every query block lists its own (vertical-slash: ~the same
  // ~1000 columns in each of 512 blocks at 32k), so a mark per key and one scan replace sorting the
  // ~80k repeated entries (16 ms -> ~1 ms at 32k, 7 heads).
  std::vector<std::vector<uint8_t>> marked;
  for (const Segment& s : segments) {
    if (s.columns.empty()) continue;
    if (s.q_head < 0) throw std::invalid_argument("key layout: single key columns belong to a one-head segment (q_head >= 0)");
    if (size_t(s.q_head) >= marked.size()) marked.resize(size_t(s.q_head) + 1);
    std::vector<uint8_t>& m = marked[size_t(s.q_head)];
    if (m.empty()) m.assign(size_t(keys), 0);
    for (int32_t c : s.columns) {
      if (c < 0 || c >= keys) throw std::invalid_argument("key layout: column " + std::to_string(c) + " outside the call's " + std::to_string(keys) + " keys");
      m[size_t(c)] = 1;
    }
  }
  for (size_t h = 0; h < marked.size(); ++h) {
    if (marked[h].empty()) continue;
    std::vector<int32_t> cols;
    for (int64_t c = 0; c < keys; ++c)
      if (marked[h][size_t(c)]) cols.push_back(int32_t(c));
    const int64_t packed = layout.packed_keys;
    layout.packed_keys = round16(packed + int64_t(cols.size()));
    layout.regions.push_back(ColumnRegion{int32_t(h), int32_t(int64_t(h) / heads_per_kv), std::move(cols), packed});
  }
  return layout;
}

KeyLayout single_piece_layout(int64_t keys) { return from_cuts({}, keys); }

}  // namespace pevlm::attention::fused
