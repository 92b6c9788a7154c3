// Plan invariants on random layouts and method parameters: every query row covered exactly once,
// no query sees a later key, the question sees every earlier key, equivalences with full attention,
// and exact FLOP counts.
#include <gtest/gtest.h>

#include <random>

#include "tests/methods_test_util.h"

namespace pevlm {
namespace {

using testing::plan_for;
using testing::small_layout;

nlohmann::json random_method(std::mt19937& rng) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const char* positions = pick(0, 1) ? "retain" : "reuse";
  switch (pick(0, 4)) {
    case 0: return {{"name", "full"}};
    case 1: return pick(0, 1) ? nlohmann::json{{"name", "block_attention"}, {"block_tokens", pick(1, 40)}, {"positions", positions}}
                              : nlohmann::json{{"name", "block_attention"}, {"block_frames", pick(1, 9)}, {"positions", positions}};
    case 2: return pick(0, 1) ? nlohmann::json{{"name", "ape"}, {"prefix_tokens", pick(0, 30)}, {"block_tokens", pick(1, 40)}, {"positions", positions}}
                              : nlohmann::json{{"name", "ape"}, {"prefix_frames", pick(0, 5)}, {"block_frames", pick(1, 9)}, {"positions", positions}};
    case 3: {
      int b = pick(1, 40);
      return {{"name", "star"}, {"block_tokens", b}, {"anchor_tokens", pick(1, b)}, {"positions", positions}};
    }
    default:
      return pick(0, 1) ? nlohmann::json{{"name", "pevlm"}, {"sink_frames", pick(0, 9)}, {"block_frames", pick(1, 9)}, {"positions", positions}}
                        : nlohmann::json{{"name", "pevlm"}, {"sink_tokens", pick(0, 30)}, {"block_tokens", pick(1, 40)}, {"positions", positions}};
  }
}

TEST(PlanInvariants, RandomLayoutsAndMethods) {
  std::mt19937 rng(1234);
  for (int trial = 0; trial < 400; ++trial) {
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    const int64_t tpf = pick(1, 3) * pick(1, 3);
    SyntheticLayoutSpec spec{pick(0, 6), pick(0, 7), tpf, pick(0, 5), pick(0, 1) == 1, 1, tpf, pick(1, 3)};
    TokenLayout layout = make_synthetic_layout(spec);
    if (layout.length == 0) continue;
    nlohmann::json entry = random_method(rng);
    AttentionPlan plan = plan_for(entry, layout);
    const std::string ctx = entry.dump() + " on L=" + std::to_string(layout.length);
    const int64_t L = layout.length, q0 = layout.question_begin();
    // Covered exactly once.
    std::vector<int> covered(size_t(L), 0);
    for (const auto& q : plan.queries)
      for (int64_t i = q.begin; i < q.end; ++i) covered[size_t(i)]++;
    for (int64_t i = 0; i < L; ++i) ASSERT_EQ(covered[size_t(i)], 1) << ctx << " row " << i;
    const std::vector<uint8_t> m = plan.dense_mask();
    for (int64_t i = 0; i < L; ++i) {
      ASSERT_EQ(m[size_t(i * L + i)], 1) << ctx << " token " << i << " must see itself";
      for (int64_t j = i + 1; j < L; ++j) ASSERT_EQ(m[size_t(i * L + j)], 0) << ctx << " " << i << " sees later " << j;
      if (i >= q0)
        for (int64_t j = 0; j <= i; ++j) ASSERT_EQ(m[size_t(i * L + j)], 1) << ctx << " question " << i << " misses " << j;
    }
    // Decode keys cover the whole prefill exactly once.
    std::vector<int> dk(size_t(L), 0);
    for (const auto& k : plan.decode_keys)
      for (int64_t j = k.begin; j < k.end; ++j) dk[size_t(j)]++;
    for (int64_t j = 0; j < L; ++j) ASSERT_EQ(dk[size_t(j)], 1) << ctx << " decode key " << j;
    // Positions: the question continues from the context's maximum; retain keeps layout ids.
    if (plan.params.value("positions", "retain") == "retain") ASSERT_EQ(plan.positions, layout.positions) << ctx;
    // Exact pair count equals the mask's ones.
    int64_t ones = 0;
    for (uint8_t v : m) ones += v;
    ASSERT_EQ(plan.attended_pairs(), ones) << ctx;
  }
}

TEST(PlanInvariants, EquivalencesWithFull) {
  const TokenLayout layout = small_layout();
  const auto full = make_full_plan(layout).dense_mask();
  // pevlm with one block spanning all frames == full.
  EXPECT_EQ(plan_for({{"name", "pevlm"}, {"sink_frames", 0}, {"block_frames", 6}}, layout).dense_mask(), full);
  EXPECT_EQ(plan_for({{"name", "pevlm"}, {"sink_frames", 2}, {"block_frames", 100}}, layout).dense_mask(), full);
  // star with anchor = whole context (one block) == full.
  EXPECT_EQ(plan_for({{"name", "star"}, {"block_tokens", 29}, {"anchor_tokens", 29}}, layout).dense_mask(), full);
  // ape with one block: same mask; T = S = 1 groups make it plain softmax (executor tests check values).
  AttentionPlan ape = plan_for({{"name", "ape"}, {"prefix_tokens", 5}, {"block_tokens", 100}, {"temperature", 1.0},
                                {"scale", 1.0}, {"positions", "retain"}},
                               layout);
  EXPECT_EQ(ape.dense_mask(), full);
}

TEST(PlanFlops, HandComputedSmallLayout) {
  const TokenLayout layout = small_layout();  // L = 32
  const int64_t H = 2, D = 4;
  // Full: causal pairs 32*33/2 = 528.
  AttentionPlan full = make_full_plan(layout);
  EXPECT_EQ(full.attended_pairs(), 528);
  EXPECT_DOUBLE_EQ(full.flops(H, D), 4.0 * H * D * 528);
  EXPECT_DOUBLE_EQ(full.paper_eq10_flops(H * D), 2.0 * H * D * 32 * 32);
  // PEVLM sink 13 (causal 91), blocks 12 (13*12 + 78) and 4 (13*4 + 10), question 3 (29*3 + 6).
  AttentionPlan pe = plan_for({{"name", "pevlm"}, {"sink_frames", 2}, {"block_frames", 3}}, layout);
  const int64_t pairs = 91 + (156 + 78) + (52 + 10) + (87 + 6);
  EXPECT_EQ(pe.attended_pairs(), pairs);
  EXPECT_DOUBLE_EQ(pe.flops(H, D), 4.0 * H * D * pairs);
  // Eq. 10 with S = 13, blocks 12 and 4, Q = 3: S^2 + Q^2 + sum B^2 + Q*S + Q*sum B + S*sum B.
  const double eq10 = 13 * 13 + 9 + (144 + 16) + 3 * 13 + 3 * 16 + 13 * 16;
  EXPECT_DOUBLE_EQ(pe.paper_eq10_flops(H * D), 2.0 * H * D * eq10);
  // Star with recompute counts the re-encoded anchor (6 tokens causal = 21 pairs) per later block.
  AttentionPlan st = plan_for({{"name", "star"}, {"anchor_tokens", 6}, {"block_tokens", 10}}, layout);
  AttentionPlan st_shared = plan_for({{"name", "star"}, {"anchor_tokens", 6}, {"block_tokens", 10}, {"recompute_anchor", false}}, layout);
  EXPECT_DOUBLE_EQ(st.flops(H, D) - st_shared.flops(H, D), 4.0 * H * D * 2 * 21);
}

}  // namespace
}  // namespace pevlm
