// Each method's plan on the small layout (5 system tokens, 6 frames x 4 tokens, 3 question tokens)
// equals hand-written unit boundaries / masks and hand-computed position ids.
#include <gtest/gtest.h>

#include <limits>

#include "tests/methods_test_util.h"

namespace pevlm {
namespace {

using testing::expected_mask;
using testing::mask_to_string;
using testing::plan_for;
using testing::small_layout;
constexpr int64_t L = 32, Q0 = 29;

void expect_mask(const AttentionPlan& plan, const std::vector<uint8_t>& want) {
  EXPECT_EQ(mask_to_string(plan.dense_mask(), L), mask_to_string(want, L)) << plan.method << " " << plan.params.dump();
}

TEST(MethodsPlan, SmallLayoutShape) {
  TokenLayout t = small_layout();
  EXPECT_EQ(t.length, L);
  EXPECT_EQ(t.num_frames(), 6);
  EXPECT_EQ(t.question_begin(), Q0);
  EXPECT_EQ(t.frame_start(2), 13);
  // Hand-computed get_rope_index ids: text 0..4, frame f t = 5 + 2f, h = 5 + row, w = 5 + col,
  // question from max (= 15) + 1.
  std::vector<int64_t> t_row = {0, 1, 2, 3, 4, 5, 5, 5, 5, 7, 7, 7, 7, 9, 9, 9, 9, 11, 11, 11, 11,
                                13, 13, 13, 13, 15, 15, 15, 15, 16, 17, 18};
  std::vector<int64_t> h_row = {0, 1, 2, 3, 4, 5, 5, 6, 6, 5, 5, 6, 6, 5, 5, 6, 6, 5, 5, 6, 6,
                                5, 5, 6, 6, 5, 5, 6, 6, 16, 17, 18};
  std::vector<int64_t> w_row = {0, 1, 2, 3, 4, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6,
                                5, 6, 5, 6, 5, 6, 5, 6, 16, 17, 18};
  for (int64_t i = 0; i < L; ++i) {
    EXPECT_EQ(t.positions.at(0, i), t_row[size_t(i)]) << i;
    EXPECT_EQ(t.positions.at(1, i), h_row[size_t(i)]) << i;
    EXPECT_EQ(t.positions.at(2, i), w_row[size_t(i)]) << i;
  }
}

TEST(MethodsPlan, FullIsCausal) {
  AttentionPlan p = plan_for({{"name", "full"}}, small_layout());
  expect_mask(p, expected_mask(L, L, {}, 0, L));
  EXPECT_EQ(p.positions, small_layout().positions);
}

TEST(MethodsPlan, PevlmFramesLiteralMask) {
  // 2 system tokens, 3 frames of 2 tokens, 1 question token; sink = sys + 1 frame, blocks of 1 frame.
  TokenLayout t = make_synthetic_layout(SyntheticLayoutSpec{2, 3, 2, 1, false, 1, 2, 1});
  AttentionPlan p = plan_for({{"name", "pevlm"}, {"sink_frames", 1}, {"block_frames", 1}}, t);
  // tokens: sys 0-1, frame0 2-3 (sink), frame1 4-5 (block 0), frame2 6-7 (block 1), question 8.
  const std::string want =
      "#........\n"
      "##.......\n"
      "###......\n"
      "####.....\n"
      "#####....\n"
      "######...\n"
      "####..#..\n"
      "####..##.\n"
      "#########\n";
  EXPECT_EQ(mask_to_string(p.dense_mask(), t.length), want);
}

TEST(MethodsPlan, PevlmFrames) {
  // sink = 5 text + 2 frames = [0, 13); blocks of 3 frames: [13, 25), [25, 29) (last partial).
  AttentionPlan p = plan_for({{"name", "pevlm"}, {"sink_frames", 2}, {"block_frames", 3}}, small_layout());
  expect_mask(p, expected_mask(L, 13, {{13, 25}, {25, 29}}, 13, Q0));
  EXPECT_EQ(p.positions, small_layout().positions);  // retain
  EXPECT_EQ(p.token_counts()["sink"], 13);
  EXPECT_EQ(p.token_counts()["blocks"], nlohmann::json::array({12, 4}));
  EXPECT_EQ(p.token_counts()["question"], 3);
}

TEST(MethodsPlan, PevlmTokens) {
  AttentionPlan p = plan_for({{"name", "pevlm"}, {"sink_tokens", 7}, {"block_tokens", 10}}, small_layout());
  expect_mask(p, expected_mask(L, 7, {{7, 17}, {17, 27}, {27, 29}}, 7, Q0));
}

TEST(MethodsPlan, PevlmReuseMRope) {
  // sink = text + 1 frame [0, 9); blocks of 2 frames: [9, 17) frames 1-2, [17, 25) frames 3-4, [25, 29) frame 5.
  AttentionPlan p = plan_for({{"name", "pevlm"}, {"sink_frames", 1}, {"block_frames", 2}, {"positions", "reuse"}},
                             small_layout());
  expect_mask(p, expected_mask(L, 9, {{9, 17}, {17, 25}, {25, 29}}, 9, Q0));
  // Every block takes block 0's t (frame 1: t = 7): frames 1,3,5 -> 7; frames 2,4 -> 9; h, w unchanged.
  const std::vector<int64_t> t_row = {0, 1, 2, 3, 4, 5, 5, 5, 5, 7, 7, 7, 7, 9, 9, 9, 9, 7, 7, 7, 7,
                                      9, 9, 9, 9, 7, 7, 7, 7, 10, 11, 12};
  for (int64_t i = 0; i < L; ++i) EXPECT_EQ(p.positions.at(0, i), t_row[size_t(i)]) << i;
  for (int64_t i = 5; i < Q0; ++i) {
    EXPECT_EQ(p.positions.at(1, i), small_layout().positions.at(1, i));
    EXPECT_EQ(p.positions.at(2, i), small_layout().positions.at(2, i));
  }
  for (int a = 0; a < 3; ++a) EXPECT_EQ(p.positions.at(a, 29), 10);  // max(9, 6) + 1 on all axes
}

TEST(MethodsPlan, ReuseOneAxis) {
  // 1-D positions: each block starts where the first context block starts.
  AttentionPlan p = plan_for({{"name", "ape"}, {"prefix_tokens", 5}, {"block_tokens", 8}, {"temperature", 1.0},
                              {"scale", 1.0}, {"positions", "reuse"}},
                             small_layout(false));
  std::vector<int64_t> want = {0, 1, 2, 3, 4};
  for (int b = 0; b < 3; ++b)
    for (int64_t i = 0; i < 8; ++i) want.push_back(5 + i);
  for (int64_t i = 0; i < 3; ++i) want.push_back(13 + i);  // max 12 + 1
  ASSERT_EQ(p.positions.axes, 1);
  EXPECT_EQ(p.positions.ids, want);
}

TEST(MethodsPlan, BlockAttentionTokens) {
  AttentionPlan p = plan_for({{"name", "block_attention"}, {"block_tokens", 12}}, small_layout());
  expect_mask(p, expected_mask(L, 0, {{0, 12}, {12, 24}, {24, 29}}, 0, Q0));
  EXPECT_EQ(p.positions, small_layout().positions);
}

TEST(MethodsPlan, BlockAttentionFramesFirstBlockHoldsSystemPrompt) {
  AttentionPlan p = plan_for({{"name", "block_attention"}, {"block_frames", 4}}, small_layout());
  expect_mask(p, expected_mask(L, 0, {{0, 21}, {21, 29}}, 0, Q0));
}

TEST(MethodsPlan, BlockAttentionReuse) {
  // first context block = block 0: every block's t shifts to block 0's start (t = 0).
  AttentionPlan p = plan_for({{"name", "block_attention"}, {"block_tokens", 12}, {"positions", "reuse"}}, small_layout());
  EXPECT_EQ(p.positions.at(0, 12), 0);  // token 12 is frame 1's 4th token (t = 7) -> 7 - 7 = 0
  EXPECT_EQ(p.positions.at(1, 12), 6);  // h stays
  EXPECT_EQ(p.positions.at(0, 24), 0);  // token 24 (frame 4's last token, t = 13) starts block 2
}

TEST(MethodsPlan, ApeTokensTemperatureGroups) {
  AttentionPlan p = plan_for({{"name", "ape"}, {"prefix_tokens", 5}, {"block_tokens", 8}}, small_layout());
  expect_mask(p, expected_mask(L, 5, {{5, 13}, {13, 21}, {21, 29}}, 5, Q0));
  ASSERT_EQ(p.groups.size(), 2u);
  EXPECT_DOUBLE_EQ(p.groups[1].temperature, 0.9);
  EXPECT_DOUBLE_EQ(p.groups[1].weight_exponent, 0.81);
  const std::vector<int8_t> g = p.dense_groups();
  EXPECT_EQ(g[size_t(30 * L + 2)], 0);   // question -> prefix: plain group
  EXPECT_EQ(g[size_t(30 * L + 10)], 1);  // question -> context: tempered group
  EXPECT_EQ(g[size_t(30 * L + 29)], 0);  // question -> question
  EXPECT_EQ(g[size_t(10 * L + 6)], 0);   // a block token's own keys are plain
  // Decode keys: prefix (0), context (1), question (0).
  ASSERT_EQ(p.decode_keys.size(), 3u);
  EXPECT_EQ(p.decode_keys[1].group, 1);
  // Default positions = reuse.
  EXPECT_EQ(p.params["positions"], "reuse");
}

TEST(MethodsPlan, ApeFramesPrefix) {
  AttentionPlan p = plan_for({{"name", "ape"}, {"prefix_frames", 0}, {"block_frames", 2}, {"positions", "retain"}},
                             small_layout());
  expect_mask(p, expected_mask(L, 5, {{5, 13}, {13, 21}, {21, 29}}, 5, Q0));
}

TEST(MethodsPlan, StarTokens) {
  // blocks of 10 from 0: [0,10) anchor block, [10,20), [20,29); anchor = first 6 tokens.
  AttentionPlan p = plan_for({{"name", "star"}, {"anchor_tokens", 6}, {"block_tokens", 10}}, small_layout());
  expect_mask(p, expected_mask(L, 10, {{10, 20}, {20, 29}}, 6, Q0));
  ASSERT_EQ(p.redundant.size(), 2u);  // recompute_anchor default true: anchor re-encoded per block
  EXPECT_EQ(p.redundant[0].end, 6);
}

TEST(MethodsPlan, StarFramesDefaultAnchorIsBlock) {
  AttentionPlan p = plan_for({{"name", "star"}, {"block_frames", 2}, {"recompute_anchor", false}}, small_layout());
  expect_mask(p, expected_mask(L, 13, {{13, 21}, {21, 29}}, 13, Q0));
  EXPECT_TRUE(p.redundant.empty());
}

TEST(MethodsPlan, StarReuseAlignsToFirstBlockAfterAnchor) {
  AttentionPlan p = plan_for({{"name", "star"}, {"block_frames", 2}, {"positions", "reuse"}}, small_layout());
  // block 1 = frames 2-3 (t 9, 11), block 2 = frames 4-5 (t 13, 15) -> t 9, 11.
  EXPECT_EQ(p.positions.at(0, 13), 9);
  EXPECT_EQ(p.positions.at(0, 21), 9);
  EXPECT_EQ(p.positions.at(0, 25), 11);
  EXPECT_EQ(p.positions.at(0, 5), 5);  // the anchor block keeps its positions
  EXPECT_EQ(p.positions.at(0, 29), 12);
}

TEST(MethodsPlan, EdgeCases) {
  // Sink larger than the video: no context blocks, sink = whole context.
  AttentionPlan a = plan_for({{"name", "pevlm"}, {"sink_frames", 100}, {"block_frames", 2}}, small_layout());
  expect_mask(a, expected_mask(L, Q0, {}, Q0, Q0));
  // Block larger than the video: one block.
  AttentionPlan b = plan_for({{"name", "pevlm"}, {"sink_frames", 1}, {"block_frames", 100}}, small_layout());
  expect_mask(b, expected_mask(L, 9, {{9, 29}}, 9, Q0));
  // No question text.
  TokenLayout nq = make_synthetic_layout(SyntheticLayoutSpec{5, 6, 4, 0, true, 2, 2, 2});
  AttentionPlan c = plan_for({{"name", "pevlm"}, {"sink_frames", 1}, {"block_frames", 2}}, nq);
  EXPECT_EQ(c.queries.back().role, "block");
  EXPECT_EQ(c.decode_keys.back().end, 29);
  // No frames at all.
  TokenLayout text_only = make_synthetic_layout(SyntheticLayoutSpec{5, 0, 4, 3, true, 2, 2, 2});
  for (const char* m : {"full", "block_attention", "ape", "star", "pevlm"}) {
    AttentionPlan p = plan_for({{"name", m}}, text_only);
    EXPECT_EQ(p.length, 8) << m;
  }
}

TEST(MethodsRegistry, Errors) {
  EXPECT_THROW(resolve_method({{"name", "nope"}}), std::invalid_argument);
  try {
    resolve_method({{"name", "nope"}});
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("pevlm"), std::string::npos);
  }
  try {
    resolve_method({{"name", "pevlm"}, {"sink_size", 3}});
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("sink_frames"), std::string::npos) << e.what();
  }
  EXPECT_THROW(resolve_method({{"name", "pevlm"}, {"sink_frames", 3}, {"sink_tokens", 3}}), std::invalid_argument);
  EXPECT_THROW(resolve_method({{"name", "ape"}, {"positions", "keep"}}), std::invalid_argument);
  EXPECT_THROW(resolve_method({{"name", "ape"}, {"temperature", "hot"}}), std::invalid_argument);
  EXPECT_THROW(plan_for({{"name", "star"}, {"anchor_tokens", 20}, {"block_tokens", 10}}, small_layout()),
               std::invalid_argument);
  EXPECT_THROW(plan_for({{"name", "pevlm"}, {"sink_tokens", 7}, {"block_frames", 1}}, small_layout()),
               std::invalid_argument);  // frame blocks cannot start inside a frame
  // Integral floats are integers; a huge or fractional float is an error, never an undefined conversion
  // (fuzz/regressions/fuzz_config_yaml/huge_float_block_tokens.yaml).
  EXPECT_EQ(resolve_method({{"name", "ape"}, {"block_tokens", 4096.0}}).params["block_tokens"], 4096);
  for (double bad : {4.1e89, -1e30, 2.5, std::numeric_limits<double>::infinity()}) {
    try {
      resolve_method({{"name", "ape"}, {"block_tokens", bad}});
      ADD_FAILURE() << bad;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("'block_tokens': expected an integer"), std::string::npos) << e.what();
    }
  }
}

TEST(MethodsRegistry, DefaultsAndSweeps) {
  MethodConfig ape = resolve_method({{"name", "ape"}});
  EXPECT_EQ(ape.label(), "ape(prefix_tokens=256,block_tokens=4096,temperature=0.9,scale=0.9,positions=reuse)");
  MethodConfig pe = resolve_method({{"name", "pevlm"}, {"block_tokens", 100}});
  EXPECT_FALSE(pe.params.contains("block_frames"));
  EXPECT_EQ(pe.params["sink_frames"], 16);
  auto sweep = expand_methods(nlohmann::json::parse(
      R"([{"name":"full"},{"name":"pevlm","sink_frames":[2,8,16],"block_frames":[8,16,32]},{"name":"full"}])"));
  ASSERT_EQ(sweep.size(), 10u);  // full + 3x3 grid, duplicate full dropped
  EXPECT_EQ(sweep[1].label(), "pevlm(sink_frames=2,block_frames=8,positions=retain)");
  EXPECT_EQ(sweep[9].label(), "pevlm(sink_frames=16,block_frames=32,positions=retain)");
}

}  // namespace
}  // namespace pevlm
