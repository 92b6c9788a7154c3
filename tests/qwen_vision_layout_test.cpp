// Vision-tower bookkeeping (models/qwen2_5_vl/vision_layout.h): window index, cu_seqlens and the
// 2-D rotary table, by hand and against transformers 4.50 (../shared/golden/qwen2_5_vl_tiny).
#include "models/qwen2_5_vl/vision_layout.h"

#include <gtest/gtest.h>

#include "tests/qwen_vision_golden.h"

namespace pevlm::qwen2_5_vl {
namespace {

using testing::golden;

std::vector<int64_t> to_vec(const at::Tensor& t) {
  at::Tensor c = t.to(at::kLong).contiguous();
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

// Unpadded grid: 8x8 patches -> 4x4 merged tokens, windows of 2x2 merged tokens. Transformers pads
// by 2 - 4 % 2 = 2 (a whole empty window row/column), so the raw cu list repeats.
TEST(QwenVisionWindowIndex, UnpaddedGridHandComputed) {
  WindowIndex w = vision_window_index({{1, 8, 8}}, 2, 2);
  EXPECT_EQ(to_vec(w.window_index), (std::vector<int64_t>{0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15}));
  EXPECT_EQ(w.cu_window_seqlens_raw, (std::vector<int64_t>{0, 16, 32, 32, 48, 64, 64, 64, 64, 64}));
  EXPECT_EQ(w.cu_window_seqlens, (std::vector<int64_t>{0, 16, 32, 48, 64}));
}

// Padded grid: 6x10 patches -> 3x5 merged tokens; windows 2x2 -> 2x3 windows, partial at the edges.
TEST(QwenVisionWindowIndex, PaddedGridHandComputed) {
  WindowIndex w = vision_window_index({{1, 6, 10}}, 2, 2);
  EXPECT_EQ(to_vec(w.window_index), (std::vector<int64_t>{0, 1, 5, 6, 2, 3, 7, 8, 4, 9, 10, 11, 12, 13, 14}));
  EXPECT_EQ(w.cu_window_seqlens_raw, (std::vector<int64_t>{0, 16, 32, 40, 48, 56, 60}));
  EXPECT_EQ(w.cu_window_seqlens, w.cu_window_seqlens_raw);
}

// Two grids: the second grid's merged-token ids start after the first grid's.
TEST(QwenVisionWindowIndex, SecondGridOffsetsIds) {
  WindowIndex w = vision_window_index({{1, 4, 4}, {1, 4, 4}}, 2, 2);
  EXPECT_EQ(to_vec(w.window_index), (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(w.cu_window_seqlens, (std::vector<int64_t>{0, 16, 32}));
  EXPECT_EQ(vision_full_cu_seqlens({{2, 4, 4}, {1, 2, 6}}), (std::vector<int64_t>{0, 16, 32, 44}));
}

TEST(QwenVisionWindowIndex, RejectsGridNotDivisibleByMerge) {
  EXPECT_THROW(vision_window_index({{1, 5, 4}}, 2, 2), std::invalid_argument);
  EXPECT_THROW(vision_window_index({{1, 4, 4}}, 2, 0), std::invalid_argument);
}

// Rotary ids: patches in 2x2-block raster order. Grid 4x4: block (0,0) = (0,0),(0,1),(1,0),(1,1).
TEST(QwenVisionRotary, PositionIdsHandComputed) {
  at::Tensor ids = vision_rot_pos_ids({{1, 4, 4}}, 2);
  ASSERT_EQ(ids.sizes(), (at::IntArrayRef{16, 2}));
  EXPECT_EQ(to_vec(ids.slice(0, 0, 8)), (std::vector<int64_t>{0, 0, 0, 1, 1, 0, 1, 1, 0, 2, 0, 3, 1, 2, 1, 3}));
  // head_dim 8 -> 2 freqs per axis (1, 1/100); patch 5 is (h=0, w=3).
  at::Tensor emb = vision_rot_pos_emb({{1, 4, 4}}, 2, 8);
  ASSERT_EQ(emb.sizes(), (at::IntArrayRef{16, 4}));
  EXPECT_FLOAT_EQ(emb[5][2].item<float>(), 3.0f);
  EXPECT_NEAR(emb[5][3].item<float>(), 0.03f, 1e-7);
  EXPECT_FLOAT_EQ(emb[5][0].item<float>(), 0.0f);
}

TEST(QwenVisionLayoutGolden, WindowIndexAndSeqlensMatchTransformers) {
  PEVLM_REQUIRE_GOLDEN();
  // window_size 56 / merge 2 / patch 14 = 2 merged tokens per window side.
  WindowIndex w = vision_window_index({{3, 6, 8}}, 2, 56 / 2 / 14);
  EXPECT_EQ(to_vec(w.window_index), to_vec(golden("vision_window_index")));
  EXPECT_EQ(w.cu_window_seqlens_raw, to_vec(golden("vision_cu_window_seqlens_raw")));
  EXPECT_EQ(w.cu_window_seqlens, to_vec(golden("vision_cu_window_seqlens")));
  EXPECT_EQ(vision_full_cu_seqlens({{3, 6, 8}}), to_vec(golden("vision_cu_seqlens")));
}

// Same float32 ops as transformers (pow, reciprocal, outer): identical up to libm differences;
// tolerance 1e-6 absolute (values up to 7).
TEST(QwenVisionLayoutGolden, RotPosEmbMatchesTransformers) {
  PEVLM_REQUIRE_GOLDEN();
  testing::expect_close(vision_rot_pos_emb({{3, 6, 8}}, 2, 8), golden("vision_rot_pos_emb"), 1e-6, 1e-12,
                        "vision_rot_pos_emb");
}

}  // namespace
}  // namespace pevlm::qwen2_5_vl
