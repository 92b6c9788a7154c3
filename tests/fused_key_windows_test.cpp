// The fused kernel's key windows (attention/fused/key_windows.h): hand cases (the even start and
// width the bf16 VNNI pairs need, masked columns, equal windows, column regions with short gaps) and
// a property over random segments: the unmasked columns of the non-causal windows are exactly the
// segment's non-causal keys and columns, each once, and the causal windows cover the causal ranges.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "attention/fused/key_layout.h"
#include "attention/fused/key_windows.h"

namespace pevlm {
namespace {

using namespace attention::fused;

// The key held at packed index x of the layout, or -1 for padding.
int64_t key_at(const KeyLayout& layout, int64_t x) {
  for (const KeyPiece& p : layout.pieces)
    if (x >= p.packed && x < p.packed + (p.end - p.begin)) return p.begin + (x - p.packed);
  for (const ColumnRegion& r : layout.regions)
    if (x >= r.packed && x < r.packed + int64_t(r.keys.size())) return r.keys[size_t(x - r.packed)];
  return -1;
}

std::vector<int32_t> iota_cols(int32_t from, int32_t to) {
  std::vector<int32_t> v;
  for (int32_t c = from; c < to; ++c) v.push_back(c);
  return v;
}

std::vector<int32_t> concat(std::vector<int32_t> a, const std::vector<int32_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Cut layout (static plans, decode): every range starts its own 16-aligned piece and runs as its own
// windows (no gathering: shapes that repeat step after step); on the bf16 path an odd-length range ends
// one column late, that column masked; fp32 tiles need nothing.
TEST(FusedKeyWindows, CutLayoutRangesRunAloneEndingOnEvenPairs) {
  Segment s{128, 160, 128, false, {SegmentKeys{3, 10, false, 0}, SegmentKeys{40, 45, false, 0}, SegmentKeys{129, 160, true, 0}}};
  const KeyLayout layout = make_key_layout({s}, 200);
  ASSERT_FALSE(layout.uncut);
  const std::vector<KeyWindow> w = plan_key_windows(s, layout, 159, true, 640);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_FALSE(w[0].causal);
  EXPECT_EQ(w[0].cols, 8);
  EXPECT_EQ(w[0].ld, 8);  // cut layouts: S rows as wide as the window
  ASSERT_EQ(w[0].chunks.size(), 1u);
  EXPECT_EQ(w[0].chunks[0].packed, 16);
  EXPECT_EQ(w[0].masked, (std::vector<int32_t>{7}));
  EXPECT_EQ(w[1].cols, 6);
  EXPECT_EQ(w[1].chunks[0].packed, 64);
  EXPECT_EQ(w[1].masked, (std::vector<int32_t>{5}));
  EXPECT_TRUE(w[2].causal);
  EXPECT_EQ(w[2].lead, 0);
  EXPECT_EQ(w[2].causal_cols, 31);
  EXPECT_EQ(w[2].cols, 32);
  const std::vector<KeyWindow> f = plan_key_windows(s, layout, 159, false, 640);
  EXPECT_EQ(f[0].cols, 7);
  EXPECT_EQ(f[1].cols, 5);
  EXPECT_TRUE(f[0].masked.empty());
  // A long range: equal windows along it (a 1300-key range -> 3 of <= 640).
  Segment l{2000, 2010, 2000, false, {SegmentKeys{0, 1300, false, 0}, SegmentKeys{2000, 2010, true, 0}}};
  const std::vector<KeyWindow> lw = plan_key_windows(l, make_key_layout({l}, 2010), 2009, false, 640);
  ASSERT_EQ(lw.size(), 4u);
  EXPECT_EQ(lw[0].cols, 448);
  EXPECT_EQ(lw[2].cols, 404);
}

// Uncut layout (per-head sparse plans): gathered chunks start and end on the 16-key grid; a causal
// range at an odd key starts one key early on the bf16 path, that column masked for every row.
TEST(FusedKeyWindows, UncutLayoutChunksSitOnTheSixteenKeyGrid) {
  Segment s{128, 160, 128, false, {SegmentKeys{3, 10, false, 0}, SegmentKeys{40, 45, false, 0}, SegmentKeys{129, 160, true, 0}}, 0, {}};
  const KeyLayout layout = make_uncut_key_layout({s}, 200, 1);
  ASSERT_TRUE(layout.uncut);
  for (bool even : {true, false}) {
    const std::vector<KeyWindow> w = plan_key_windows(s, layout, 159, even, 640);
    ASSERT_EQ(w.size(), 2u);
    EXPECT_EQ(w[0].cols, 32);
    EXPECT_EQ(w[0].ld, 640);  // uncut layouts: one S row stride for every gathered window (few GEMM shapes)
    ASSERT_EQ(w[0].chunks.size(), 2u);
    EXPECT_EQ(w[0].chunks[0].packed, 0);
    EXPECT_EQ(w[0].chunks[1].packed, 32);
    EXPECT_EQ(w[0].chunks[1].s_col, 16);
    EXPECT_EQ(w[0].masked, concat(concat(concat({0, 1, 2}, iota_cols(10, 16)), iota_cols(16, 24)), iota_cols(29, 32)));
    EXPECT_EQ(w[1].causal_key0, even ? 128 : 129);
    EXPECT_EQ(w[1].lead, even ? 1 : 0);
    EXPECT_EQ(w[1].causal_cols, even ? 32 : 31);
    EXPECT_EQ(w[1].chunks[0].packed, even ? 128 : 129);
  }
}

TEST(FusedKeyWindows, LongRangesCutIntoEqualWindowsAndCausalStopsAtTheLastQuery) {
  Segment s{2000, 2100, 2000, false, {SegmentKeys{0, 1300, false, 0}, SegmentKeys{2000, 2100, true, 0}}, 0, {}};
  const KeyLayout layout = make_uncut_key_layout({s}, 2100, 1);
  const std::vector<KeyWindow> w = plan_key_windows(s, layout, 2049, true, 640);
  ASSERT_EQ(w.size(), 4u);
  EXPECT_EQ(w[0].cols, 448);
  EXPECT_EQ(w[1].cols, 448);
  EXPECT_EQ(w[2].cols, 416);
  EXPECT_EQ(w[2].chunks[0].packed, 896);
  EXPECT_EQ(w[2].masked, iota_cols(404, 416));  // keys 1300..1311 widen the range to the grid
  EXPECT_EQ(w[3].causal_cols, 50);              // keys 2000..2049
}

TEST(FusedKeyWindows, ColumnsRunThroughTheHeadsRegion) {
  Segment a{300, 364, 300, false, {SegmentKeys{300, 364, true, 0}}, 1, {5, 7, 100}};
  Segment b{364, 428, 364, false, {SegmentKeys{364, 428, true, 0}}, 1, {5, 7, 30, 100, 200}};
  const KeyLayout layout = make_uncut_key_layout({a, b}, 428, 2);
  ASSERT_EQ(layout.regions.size(), 1u);
  const ColumnRegion& r = layout.region_of(1);
  EXPECT_EQ(r.kv_head, 0);
  EXPECT_EQ(r.packed, 432);
  EXPECT_EQ(r.keys, (std::vector<int32_t>{5, 7, 30, 100, 200}));
  EXPECT_EQ(layout.packed_keys, 448);
  EXPECT_THROW(layout.region_of(0), std::out_of_range);
  const std::vector<KeyWindow> w = plan_key_windows(a, layout, 363, true, 640);
  ASSERT_EQ(w.size(), 2u);
  ASSERT_EQ(w[0].chunks.size(), 1u);
  EXPECT_EQ(w[0].chunks[0].packed, 432);
  EXPECT_EQ(w[0].cols, 16);
  EXPECT_EQ(w[0].masked, concat({2}, iota_cols(4, 16)));  // region positions 0, 1, 3 attended
  EXPECT_THROW(make_key_layout({a}, 428), std::invalid_argument);  // columns need the uncut layout
}

TEST(FusedKeyWindows, RandomSegmentsAttendEveryKeyExactlyOnce) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    const int64_t L = 200 + int64_t(rng() % 3000), qb = L / 2 + int64_t(rng() % uint32_t(L / 2 - 1)), qe = std::min(L, qb + 1 + int64_t(rng() % 200));
    Segment s{qb, qe, qb, false, {}, 0, {}};
    std::vector<bool> want(size_t(L), false);
    for (int64_t k = 0; k < qb;) {  // disjoint random ranges and columns before the block
      k += int64_t(rng() % 300);
      const int64_t len = 1 + int64_t(rng() % 700), e = std::min(qb, k + len);
      if (k >= qb) break;
      if (len < 16) for (int64_t c = k; c < e; ++c) s.columns.push_back(int32_t(c));
      else s.keys.push_back(SegmentKeys{k, e, false, 0});
      for (int64_t c = k; c < e; ++c) want[size_t(c)] = true;
      k = e + 1;
    }
    s.keys.push_back(SegmentKeys{qb, qe, true, 0});
    Segment other{0, 1, 0, false, {}, 0, {}};
    for (int i = 0; i < 50; ++i) other.columns.push_back(int32_t(rng() % uint32_t(qb)));
    std::sort(other.columns.begin(), other.columns.end());
    const KeyLayout layout = make_uncut_key_layout({s, other}, L, 1);
    for (bool even : {false, true}) {
      std::vector<int> seen(size_t(L), 0);
      int64_t causal_keys = 0;
      for (const KeyWindow& w : plan_key_windows(s, layout, qe - 1, even, 640)) {
        EXPECT_LE(w.cols, 640);
        ASSERT_GT(w.cols, int64_t(w.masked.size()));
        if (even) {
          EXPECT_EQ(w.cols % 2, 0);
          for (const WindowChunk& c : w.chunks) EXPECT_EQ(c.packed % 2, 0);
        }
        if (!w.causal)
          for (const WindowChunk& c : w.chunks) EXPECT_EQ(c.packed % 16, 0) << "uncut layouts gather on the 16-key grid";
        if (w.causal) {
          causal_keys += w.causal_cols - w.lead;
          continue;
        }
        for (const WindowChunk& c : w.chunks)
          for (int64_t j = 0; j < c.cols; ++j) {
            const int64_t col = c.s_col + j;
            if (std::find(w.masked.begin(), w.masked.end(), int32_t(col)) != w.masked.end()) continue;
            const int64_t key = key_at(layout, c.packed + j);
            ASSERT_GE(key, 0) << "padding column left unmasked";
            ++seen[size_t(key)];
          }
      }
      for (int64_t k = 0; k < L; ++k) ASSERT_EQ(seen[size_t(k)], want[size_t(k)] ? 1 : 0) << "key " << k << " trial " << trial;
      EXPECT_EQ(causal_keys, qe - qb);
    }
  }
}

}  // namespace
}  // namespace pevlm
