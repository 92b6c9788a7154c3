// `pevlm speed` with `reduction:` (issue 26) on the tiny model's dimensions: each reduction row times its stage
// and the prefill of the reduced sequence, FastV in two phases (layer 0 on N tokens, layer 1 on N'), beside the
// FLOP-ratio limit; a reduction without `model:` is an error naming the key.
#include <gtest/gtest.h>

#include <filesystem>

#include "harness/speed/speed_config.h"
#include "tests/qwen_tiny_test_config.h"
#include "harness/speed/speed_runner.h"
#include "models/qwen2_5_vl/config.h"
#include "models/qwen2_5_vl/tiny_model.h"

namespace pevlm {
namespace {

std::string tiny_config_path() { return testing::tiny_config_json("pevlm_reduction_speed_test"); }

nlohmann::json doc(bool with_model) {
  nlohmann::json d = {
      {"executor", "cpu"},
      {"dtype", "fp32"},
      {"layout", {{"system_tokens", 8}, {"tokens_per_frame", 16}, {"question_tokens", 8}, {"frames", 8}}},
      {"repeats", 1},
      {"warmup", 0},
      {"methods", nlohmann::json::array({{{"name", "full"}}})},
      {"reduction", nlohmann::json::parse(R"([{"name": "fastv", "k": 1, "r": 0.5}, {"name": "uniform_frames", "ratio": 0.5},
                                              {"name": "spatial_pool"}])")}};
  if (with_model) d.update({{"model", tiny_config_path()}, {"layers", 0}, {"llm_dtype", "fp32"}});
  return d;
}

TEST(ReductionSpeed, RowsTimeTheStageAndThePhasesBesideTheFlopLimit) {
  const SpeedConfig c = parse_speed_config(doc(true), "t.yaml");
  ASSERT_EQ(c.reductions.size(), 4u);  // "none" added first
  EXPECT_TRUE(c.reductions[0].is_none());
  const auto rows = run_speed(c);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0]["label"], "full");
  const int64_t L = 8 + 8 * 16 + 8, visual = 8 * 16;
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto& r = rows[i];
    SCOPED_TRACE(r["label"].get<std::string>());
    EXPECT_EQ(r["tokens"], L);
    EXPECT_EQ(r["tokens_before"]["visual"], visual);
    EXPECT_LT(r["tokens_after"]["visual"].get<int64_t>(), visual);
    EXPECT_GT(r["llm_flop_ratio_vs_full"].get<double>(), 1.0);
    EXPECT_GE(r["reduction_ms"].get<double>(), 0.0);
    EXPECT_NEAR(r["llm_ms"].get<double>(),
                r["attn_ms"].get<double>() + r["other_ms"].get<double>() + r["reduction_ms"].get<double>(), 1e-9);
    EXPECT_NEAR(r["llm_speedup_vs_full"].get<double>(), rows[0]["llm_ms"].get<double>() / r["llm_ms"].get<double>(), 1e-9);
  }
  const auto& fastv = rows[1];
  EXPECT_EQ(fastv["reduction_stage"], "in_llm");
  EXPECT_EQ(fastv["tokens_after"]["visual"], visual / 2);
  EXPECT_EQ(fastv["phases"]["phase1_layers"], 1);
  EXPECT_EQ(fastv["phases"]["phase2_layers"], 1);
  EXPECT_EQ(fastv["phases"]["phase1_tokens"], L);
  EXPECT_EQ(fastv["phases"]["phase2_tokens"], L - visual / 2);
  // Both layers are timed (K = N = 2): nothing is scaled, the phases add up to the measured prefill.
  EXPECT_NEAR(fastv["phases"]["phase1_ms"].get<double>() + fastv["phases"]["phase2_ms"].get<double>(),
              fastv["llm_attn_ms_all"][0].get<double>() + fastv["llm_other_ms_all"][0].get<double>(), 1e-6);
  // FastV's FLOP limit lies between no reduction and the whole prompt reduced from layer 0 (uniform_frames
  // keeps the same visual-token count: 4 of 8 frames).
  EXPECT_EQ(rows[2]["tokens_after"]["visual"], visual / 2);
  EXPECT_LT(fastv["llm_flop_ratio_vs_full"].get<double>(), rows[2]["llm_flop_ratio_vs_full"].get<double>());
  EXPECT_EQ(rows[3]["tokens_after"]["visual"], visual / 4);  // every 4 x 4 frame pooled to 2 x 2
}

TEST(ReductionSpeed, ReductionNeedsTheModel) {
  try {
    parse_speed_config(doc(false), "t.yaml");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("t.yaml.reduction"), std::string::npos) << e.what();
  }
  nlohmann::json bad = doc(true);
  bad["reduction"] = nlohmann::json::parse(R"([{"name": "fastx"}])");
  try {
    parse_speed_config(bad, "t.yaml");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("valid reductions"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace pevlm
