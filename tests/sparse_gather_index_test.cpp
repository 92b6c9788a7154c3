// The gather schedule of the gathered per-head sparse path (attention/sparse_gather_index.h), which
// the CPU `batched` executor and the `cuda` executors run (issue 25 item 5), checked in plain C++
// against SparsePlan::dense_mask: for every head and query, the gathered keys the causal mask lets
// through are exactly the mask's row; rows address the head's KV group; pads are masked for every
// query; head tiles cover the heads once and respect the score budget.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

#include "attention/sparse_gather_index.h"
#include "tests/random_sparse_plan.h"

namespace pevlm {
namespace {

// Heads keep different counts of ranges: pads in shared tiles.
SparsePlan random_plan(int64_t L, int64_t heads, int64_t block, uint32_t seed) {
  return testing::random_sparse_plan(L, heads, block, seed, 40, 0, true);
}

void expect_schedule_renders_mask(const SparsePlan& p, int64_t kv_heads, int64_t budget, const std::string& ctx) {
  const int64_t L = p.length, group = p.num_heads / kv_heads;
  std::vector<std::vector<uint8_t>> masks;
  for (int64_t h = 0; h < p.num_heads; ++h) masks.push_back(p.dense_mask(h));
  for (int64_t b = 0; b < p.num_query_blocks(); ++b) {
    const attention::SparseBlockGather g = attention::build_block_gather(p, b, kv_heads, budget);
    ASSERT_EQ(g.rows_index.size(), g.keypos.size()) << ctx;
    EXPECT_EQ(g.row_begin, p.block_begin(b));
    EXPECT_EQ(g.rows, p.block_end(b) - p.block_begin(b));
    int64_t next_head = 0, next_offset = 0;
    for (const attention::GatherTile& t : g.tiles) {
      ASSERT_EQ(t.head_begin, next_head) << ctx << " block " << b;
      ASSERT_GT(t.head_end, t.head_begin);
      ASSERT_EQ(t.offset, next_offset);
      if (t.head_end - t.head_begin > 1) EXPECT_LE((t.head_end - t.head_begin) * g.rows * t.width, budget) << ctx;
      for (int64_t h = t.head_begin; h < t.head_end; ++h) {
        const int64_t first = t.offset + (h - t.head_begin) * t.width;
        for (int64_t j = first; j < first + t.width; ++j) {
          const int64_t pos = g.keypos[size_t(j)];
          if (pos == L) {
            EXPECT_EQ(g.rows_index[size_t(j)], 0);  // a pad: any valid row, masked by its position
          } else {
            ASSERT_TRUE(pos >= 0 && pos < L);
            EXPECT_EQ(g.rows_index[size_t(j)], (h / group) * L + pos) << ctx << " head " << h;
          }
        }
        for (int64_t i = g.row_begin; i < g.row_begin + g.rows; ++i) {
          std::multiset<int64_t> seen;  // what the executor's `key > query -> -inf` keeps
          for (int64_t j = first; j < first + t.width; ++j)
            if (g.keypos[size_t(j)] <= i) seen.insert(g.keypos[size_t(j)]);
          std::multiset<int64_t> want;
          for (int64_t c = 0; c < L; ++c)
            if (masks[size_t(h)][size_t(i * L + c)]) want.insert(c);
          ASSERT_EQ(seen, want) << ctx << " head " << h << " query " << i;
        }
      }
      next_head = t.head_end;
      next_offset += (t.head_end - t.head_begin) * t.width;
    }
    EXPECT_EQ(next_head, p.num_heads) << ctx;
    EXPECT_EQ(next_offset, int64_t(g.rows_index.size())) << ctx;
  }
}

TEST(SparseGatherIndex, EveryHeadAndQueryGathersExactlyItsMaskRow) {
  for (int64_t L : {1, 63, 77, 301}) {
    for (auto [hq, hkv] : {std::pair<int64_t, int64_t>{6, 2}, {6, 3}, {4, 1}, {3, 3}}) {
      const SparsePlan p = random_plan(L, hq, 32, uint32_t(L + hq * 10 + hkv));
      // Budget 1: one head per tile; 4096: a few; huge: every head in one padded tile.
      for (int64_t budget : {int64_t(1), int64_t(4096), int64_t(1) << 40})
        expect_schedule_renders_mask(p, hkv, budget,
                                     "L " + std::to_string(L) + " heads " + std::to_string(hq) + "/" + std::to_string(hkv) +
                                         " budget " + std::to_string(budget));
    }
  }
}

TEST(SparseGatherIndex, DenseAndForcedPlans) {
  expect_schedule_renders_mask(make_dense_sparse_plan(200, 4, 64), 2, 1 << 20, "dense");
  expect_schedule_renders_mask(make_forced_density_plan(333, 4, 64, 0.3, 5), 1, 1 << 12, "forced");
}

TEST(SparseGatherIndex, BadArgumentsAreNamed) {
  const SparsePlan p = make_dense_sparse_plan(100, 6, 32);
  try {
    attention::build_block_gather(p, 0, 4, 1 << 20);
    FAIL() << "4 KV heads for 6 query heads accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("4 KV heads"), std::string::npos) << e.what();
  }
  EXPECT_THROW(attention::build_block_gather(p, 4, 2, 1 << 20), std::invalid_argument);
  EXPECT_THROW(attention::build_block_gather(p, -1, 2, 1 << 20), std::invalid_argument);
}

}  // namespace
}  // namespace pevlm
