// One-head segments grouped per KV head (attention/fused/fused_work.h WorkItem::heads): the query heads
// of one GQA group over one short query block run as one work item, their key windows interleaved by
// key. The grouping covers every segment once with the right heads, and the grouped kernel gives the
// same bits as the heads run alone (each head's rows see the same windows in the same order). Built
// twice like fused_executor_test: the GEMM path this CPU calibrates to and the forced bf16 VNNI path
// (where AMX runs, its PV kernel too).
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <set>

#include "attention/cpu_caps.h"
#include "attention/fused/amx_windows.h"
#include "attention/fused/fused_kernel.h"
#include "attention/fused/key_layout.h"
#include "attention/fused/sparse_segments.h"
#include "attention/fused/tile_gemm.h"
#include "methods/sparse/sparse_estimator.h"
#include "methods/sparse_plan.h"
#include "tests/fused_gemm_path.h"
#include "tests/random_sparse_plan.h"

namespace pevlm {
namespace {

using namespace attention::fused;


// Different per head: the diagonal, random ranges and scattered single columns (the heads' column regions).
SparsePlan random_plan(int64_t L, int64_t heads, int64_t block, uint32_t seed) {
  return testing::random_sparse_plan(L, heads, block, seed, 90, 6);
}

TEST(FusedHeadGroups, WorkItemsGroupTheHeadsOfOneKvHeadOverShortBlocks) {
  const int64_t L = 301, hq = 6, hkv = 2, hpg = hq / hkv;
  for (int64_t block : {64, 128, 200}) {
    const std::vector<Segment> segs = sparse_segments(random_plan(L, hq, block, uint32_t(block)));
    const std::vector<WorkItem> items = make_work_items(segs, hkv, hpg, kTargetRows);
    std::multiset<int32_t> covered;
    for (const WorkItem& it : items) {
      const Segment& first = segs[size_t(it.segment)];
      const int64_t rows = first.q_end - first.q_begin;
      EXPECT_EQ(it.heads, rows <= kHeadGroupMaxRows ? hpg : 1) << "block " << block << " rows " << rows;
      if (it.heads > 1) EXPECT_EQ(first.q_head % hpg, 0);
      for (int32_t i = 0; i < it.heads; ++i) {
        const Segment& s = segs[size_t(it.segment + i)];
        covered.insert(it.segment + i);
        EXPECT_EQ(s.q_head, first.q_head + i);
        EXPECT_EQ(s.q_head / hpg, it.kv_head);
        EXPECT_EQ(s.q_begin, first.q_begin);
        EXPECT_EQ(s.q_end, first.q_end);
        if (it.heads > 1) EXPECT_TRUE(it.t0 == s.q_begin && it.t1 == s.q_end);
      }
      EXPECT_TRUE(it.t0 >= first.q_begin && it.t1 <= first.q_end && it.t0 < it.t1);
    }
    for (size_t s = 0; s < segs.size(); ++s) {
      // A segment longer than a tile is several items (its tiles); a grouped one exactly one.
      const int64_t rows = segs[s].q_end - segs[s].q_begin;
      EXPECT_EQ(int64_t(covered.count(int32_t(s))), rows <= kHeadGroupMaxRows ? 1 : (rows + kTargetRows - 1) / kTargetRows);
    }
  }
}

// The kernel on the plan's block-major segments (grouped items) and on the same segments with the
// heads in descending order (no two neighbours are ascending heads: every item one head):
// bit-identical outputs.
at::Tensor run_kernel(const std::vector<Segment>& segs, const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
  const bool bf16 = q.scalar_type() == at::kBFloat16;
  const GemmPath path = bf16 ? bf16_gemm_choice().path : GemmPath::F32;
  const KeyLayout layout = make_uncut_key_layout(segs, k.size(0), q.size(1) / k.size(1));
  const PackedKv kv = pack_kv(k, v, path, layout);
  static const std::vector<LogitGroup> plain{LogitGroup{}};
  KernelInputs in;
  in.q_LHD = q.contiguous();
  in.kv = &kv;
  in.layout = &layout;
  in.scale = 1.0 / std::sqrt(double(q.size(2)));
  in.groups = &plain;
  in.out_LHD = at::full(q.sizes(), std::nan(""), q.options());
  in.amx_windows = path == GemmPath::Bf16Vnni && amx_windows_choice().on;
  run_fused(in, segs);
  return in.out_LHD;
}

TEST(FusedHeadGroups, GroupedHeadsGiveTheSameBitsAsHeadsAlone) {
  PEVLM_REQUIRE_GEMM_PATH();
  at::manual_seed(5);
  const int64_t hq = 8, hkv = 2, d = 64;  // GQA groups of 4 heads with different plans
  for (int64_t L : {77, 301, 700})
    for (at::ScalarType dtype : {at::kFloat, at::kBFloat16}) {
      at::Tensor q = at::randn({L, hq, d}).to(dtype), k = at::randn({L, hkv, d}).to(dtype), v = at::randn({L, hkv, d}).to(dtype);
      for (const SparsePlan& plan : {random_plan(L, hq, 64, uint32_t(L)), vertical_slash_estimate(q, k, 31, 100, 64).plan,
                                     xattention_estimate(q, k, 128, 8, 0.9).plan}) {
        const std::vector<Segment> grouped = sparse_segments(plan);
        ASSERT_GT(make_work_items(grouped, hkv, hq / hkv, kTargetRows).front().heads, 1) << plan.method;
        std::vector<Segment> alone;
        for (int64_t h = hq - 1; h >= 0; --h)
          for (const Segment& s : grouped)
            if (s.q_head == h) alone.push_back(s);
        for (const WorkItem& it : make_work_items(alone, hkv, hq / hkv, kTargetRows)) ASSERT_EQ(it.heads, 1);
        const at::Tensor a = run_kernel(grouped, q, k, v), b = run_kernel(alone, q, k, v);
        EXPECT_FALSE(at::isnan(a).any().item<bool>()) << plan.method << " L " << L;
        EXPECT_TRUE(at::equal(a, b)) << plan.method << " L " << L << " " << c10::toString(dtype);
      }
    }
}

}  // namespace
}  // namespace pevlm
