// The fused kernel's key layout (attention/fused/key_layout.h) and K/V packing into it: every key
// range of a plan starts its own piece on the packed 16-key grid, pieces keep key order without
// overlapping, every key lands at its packed index in both B layouts, and every other packed column
// is zero -- also when the packing reuses a workspace full of NaN from an earlier, larger call.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "attention/fused/fused_work.h"
#include "attention/fused/key_layout.h"
#include "attention/fused/tile_gemm.h"
#include "tests/methods_test_util.h"

namespace pevlm {
namespace {

using namespace attention::fused;

std::vector<Segment> pevlm_segments(int64_t* length) {
  const TokenLayout layout = make_synthetic_layout(SyntheticLayoutSpec{21, 9, 37, 13, true, 37, 1, 2});
  *length = layout.length;
  return prefill_segments(testing::plan_for({{"name", "pevlm"}, {"sink_frames", 2}, {"block_frames", 3}}, layout));
}

TEST(FusedKeyLayout, EveryRangeStartsAnAlignedPiece) {
  int64_t L = 0;
  const std::vector<Segment> segments = pevlm_segments(&L);
  const KeyLayout layout = make_key_layout(segments, L);
  ASSERT_FALSE(layout.pieces.empty());
  EXPECT_EQ(layout.pieces.front().begin, 0);
  EXPECT_EQ(layout.pieces.back().end, L);
  std::set<int64_t> boundaries;
  for (size_t i = 0; i < layout.pieces.size(); ++i) {
    const KeyPiece& p = layout.pieces[i];
    EXPECT_LT(p.begin, p.end);
    EXPECT_EQ(p.packed % 16, 0) << "piece " << i;
    if (i > 0) {
      EXPECT_EQ(p.begin, layout.pieces[i - 1].end) << "pieces must tile the keys in order";
      EXPECT_GE(p.packed, layout.pieces[i - 1].packed + (layout.pieces[i - 1].end - layout.pieces[i - 1].begin)) << "overlap";
      EXPECT_LT(p.packed, layout.pieces[i - 1].packed + (layout.pieces[i - 1].end - layout.pieces[i - 1].begin) + 16) << "gap >= 16";
    }
    boundaries.insert(p.begin);
    boundaries.insert(p.end);
  }
  EXPECT_EQ(layout.packed_keys % 16, 0);
  EXPECT_GE(layout.packed_keys, layout.pieces.back().packed + (L - layout.pieces.back().begin));
  // Sink, block and question boundaries are all cuts (the 21-token system prompt and 37-token frames
  // put most of them off the 16-key grid, the case the layout exists for).
  for (const Segment& s : segments)
    for (const SegmentKeys& k : s.keys) {
      EXPECT_TRUE(boundaries.count(k.begin)) << k.begin;
      EXPECT_TRUE(boundaries.count(k.end)) << k.end;
      EXPECT_EQ(&layout.piece_of(k.begin), &*std::find_if(layout.pieces.begin(), layout.pieces.end(), [&](const KeyPiece& p) { return p.begin == k.begin; }));
    }
  EXPECT_THROW(layout.piece_of(L), std::out_of_range);
  EXPECT_EQ(single_piece_layout(5).pieces.size(), 1u);
  EXPECT_EQ(single_piece_layout(5).packed_keys, 16);
}

TEST(FusedKeyLayout, RejectsRangesOutsideTheKeys) {
  std::vector<Segment> segs{Segment{0, 4, 0, false, {SegmentKeys{0, 9, true, 0}}}};
  EXPECT_THROW(make_key_layout(segs, 8), std::invalid_argument);
}

// Packed K^T / V element of key j, dim x, head h in either B layout.
float packed_k(const PackedKv& kv, int64_t h, int64_t x, int64_t col) {
  return kv.path == GemmPath::F32 ? kv.kt[h][x][col].item<float>() : kv.kt[h][x / 2][col][x % 2].item<float>();
}
float packed_v(const PackedKv& kv, int64_t h, int64_t col, int64_t x) {
  return kv.path == GemmPath::F32 ? kv.v[h][col][x].item<float>() : kv.v[h][col / 2][x][col % 2].item<float>();
}

TEST(FusedKeyLayout, PackPlacesEveryKeyAndZeroesTheGapsInAReusedWorkspace) {
  int64_t L = 0;
  const std::vector<Segment> segments = pevlm_segments(&L);
  const KeyLayout layout = make_key_layout(segments, L);
  const int64_t H = 2, D = 6;
  for (GemmPath path : {GemmPath::F32, GemmPath::Bf16Vnni}) {
    PackWorkspace ws;
    // A larger earlier call leaves NaN everywhere the next one might not write (in the path's dtype:
    // both paths pack into the workspace).
    const auto dtype = path == GemmPath::F32 ? at::kFloat : at::kBFloat16;
    ws.kt = at::full({H * D * (layout.packed_keys + 64)}, std::numeric_limits<float>::quiet_NaN(), at::TensorOptions(dtype));
    ws.v = at::full({H * D * (layout.packed_keys + 64)}, std::numeric_limits<float>::quiet_NaN(), at::TensorOptions(dtype));
    const void* kept = ws.kt.data_ptr();
    const at::Tensor k = at::randn({L, H, D}).to(at::kBFloat16), v = at::randn({L, H, D}).to(at::kBFloat16);
    const PackedKv kv = pack_kv(k, v, path, layout, &ws);
    ASSERT_EQ(kv.lp, layout.packed_keys);
    EXPECT_EQ(kv.kt.data_ptr(), kept) << "workspace not reused";
    std::vector<bool> is_key(size_t(kv.lp), false);
    for (const KeyPiece& p : layout.pieces)
      for (int64_t j = p.begin; j < p.end; ++j) {
        const int64_t col = p.packed + (j - p.begin);
        is_key[size_t(col)] = true;
        for (int64_t h = 0; h < H; ++h)
          for (int64_t x = 0; x < D; ++x) {
            ASSERT_EQ(packed_k(kv, h, x, col), k[j][h][x].item<float>()) << "key " << j;
            ASSERT_EQ(packed_v(kv, h, col, x), v[j][h][x].item<float>()) << "key " << j;
          }
      }
    for (int64_t col = 0; col < kv.lp; ++col)
      if (!is_key[size_t(col)])
        for (int64_t h = 0; h < H; ++h)
          for (int64_t x = 0; x < D; ++x) {
            ASSERT_EQ(packed_k(kv, h, x, col), 0.0f) << "gap column " << col;
            ASSERT_EQ(packed_v(kv, h, col, x), 0.0f) << "gap column " << col;
          }
  }
}

}  // namespace
}  // namespace pevlm
