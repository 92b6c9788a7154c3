// The latency simulator's cost model: FLOP and byte counts of one decoder layer against
// hand-computed values, attention pairs against the methods' own plans, roofline timing, and
// determinism of `simulate` on the report fixture.
#include <gtest/gtest.h>

#include <numeric>

#include "harness/report/results_io.h"
#include "harness/simulate/cost_model.h"
#include "harness/simulate/simulate.h"
#include "methods/method_registry.h"

namespace pevlm {
namespace {

ModelDims tiny_dims() {
  ModelDims d;
  d.hidden = 8, d.layers = 2, d.heads = 2, d.kv_heads = 1, d.head_dim = 4, d.intermediate = 16, d.vocab = 32;
  return d;
}

const OpCost& op(const std::vector<OpCost>& ops, const std::string& name) {
  for (const auto& o : ops)
    if (o.name == name) return o;
  throw std::runtime_error("no op " + name);
}

TEST(SimulateCost, TinyDecoderLayerHandComputed) {
  PlanTokens full;
  full.total = 10;  // causal: 10 * 11 / 2 = 55 pairs
  const auto ops = decoder_layer_prefill_ops(tiny_dims(), full, 2.0);
  // qkv: in 8, out 2*4 + 2*1*4 = 16, bias. FLOPs 2*10*8*16; bytes 2*(8*16 + 16 + 10*8 + 10*16).
  EXPECT_DOUBLE_EQ(op(ops, "qkv_proj").flops, 2560);
  EXPECT_DOUBLE_EQ(op(ops, "qkv_proj").bytes, 768);
  // attention: 4 * (heads * head_dim = 8) * 55; bytes 2 * 10 * (2*8 + 2*4).
  EXPECT_DOUBLE_EQ(op(ops, "attention").flops, 1760);
  EXPECT_DOUBLE_EQ(op(ops, "attention").bytes, 480);
  EXPECT_DOUBLE_EQ(op(ops, "o_proj").flops, 1280);
  EXPECT_DOUBLE_EQ(op(ops, "o_proj").bytes, 448);
  EXPECT_DOUBLE_EQ(op(ops, "gate_up_proj").flops, 5120);
  EXPECT_DOUBLE_EQ(op(ops, "gate_up_proj").bytes, 1312);
  EXPECT_DOUBLE_EQ(op(ops, "down_proj").flops, 2560);
  EXPECT_DOUBLE_EQ(op(ops, "down_proj").bytes, 736);
  // elementwise: 2 * 10 * (4*8 + 6*8 + 2*(8+4) + 3*16).
  EXPECT_DOUBLE_EQ(op(ops, "elementwise").bytes, 3040);
  EXPECT_DOUBLE_EQ(op(ops, "elementwise").flops, 0);
}

TEST(SimulateCost, Qwen7BLayerHandComputed) {
  PlanTokens full;
  full.total = 1000;
  const auto ops = decoder_layer_prefill_ops(qwen2_5_vl_7b_dims(), full, 2.0);
  double linear = 0;
  for (const auto& o : ops)
    if (o.kind == OpKind::Matmul) linear += o.flops;
  // 2 * (3584*4608 + 3584*3584 + 3584*2*18944 + 18944*3584) = 466,092,032 FLOPs per token.
  EXPECT_DOUBLE_EQ(linear, 466092032.0 * 1000);
  EXPECT_DOUBLE_EQ(op(ops, "attention").flops, 14336.0 * 500500);  // 4 * 3584 * 1000*1001/2
}

TEST(SimulateCost, PevlmPairsHandComputed) {
  PlanTokens p;  // sink 4, blocks 3 + 3, question 2: L = 12
  p.total = 12, p.sink = 4, p.blocks = {3, 3}, p.question = 2;
  // sink 4*5/2 = 10; each block 3*4 + 3*4/2 = 18; question 2*10 + 2*3/2 = 23.
  EXPECT_DOUBLE_EQ(attention_pairs(p), 10 + 18 + 18 + 23);
  p.redundant_blocks = 2;  // Star's anchor recompute: + 2 * 10 pairs, + 2 * 4 tokens of linear work
  EXPECT_DOUBLE_EQ(attention_pairs(p), 69 + 20);
  EXPECT_EQ(p.processed_tokens(), 20);
}

TEST(SimulateCost, PairsFromTokenCountsMatchMethodPlans) {
  // The simulator sees only a row's token counts; its formula must equal the plans' exact FLOPs.
  const TokenLayout layout = make_synthetic_layout(SyntheticLayoutSpec{5, 13, 4, 3, false, 1, 4, 1});
  const std::vector<nlohmann::json> entries = {
      {{"name", "full"}},
      {{"name", "block_attention"}, {"block_tokens", 9}},
      {{"name", "ape"}, {"prefix_tokens", 7}, {"block_tokens", 10}},
      {{"name", "star"}, {"block_tokens", 8}},
      {{"name", "star"}, {"block_tokens", 8}, {"recompute_anchor", false}},
      {{"name", "pevlm"}, {"sink_frames", 2}, {"block_frames", 3}},
      {{"name", "pevlm"}, {"sink_frames", 1}, {"block_frames", 16}},
  };
  for (const auto& e : entries) {
    const MethodConfig cfg = resolve_method(e);
    const AttentionPlan plan = build_plan(cfg, layout);
    const nlohmann::json row = {{"key", "x|" + cfg.label()}, {"method", cfg.name}, {"params", cfg.params}, {"tokens", plan.token_counts()}};
    const PlanTokens t = plan_tokens_from_row(row);
    EXPECT_DOUBLE_EQ(4.0 * 2 * 4 * attention_pairs(t), plan.flops(2, 4)) << cfg.label();
    EXPECT_EQ(t.processed_tokens(), plan.length + plan.redundant_tokens()) << cfg.label();
  }
}

TEST(SimulateCost, DecodeReadsCacheOnce) {
  const auto ops = decoder_layer_decode_ops(tiny_dims(), 99, 2.0);
  EXPECT_DOUBLE_EQ(op(ops, "attention").flops, 4.0 * 8 * 100);
  EXPECT_DOUBLE_EQ(op(ops, "attention").bytes, 2.0 * (2 * 4 * 100 + 2 * 8));
  EXPECT_DOUBLE_EQ(op(ops, "qkv_proj").flops, 2.0 * 8 * 16);  // one token
}

TEST(SimulateCost, RooflineTakesTheSlowerBound) {
  DeviceProfile dev;
  dev.peak_tflops = 1, dev.memory_bandwidth_gbs = 1, dev.matmul_efficiency = 0.5, dev.attention_efficiency = 0.25;
  dev.bandwidth_efficiency = 0.5;
  EXPECT_DOUBLE_EQ(op_seconds(OpCost{"m", OpKind::Matmul, 2e12, 1e9}, dev), 4.0);     // compute 4 s > memory 2 s
  EXPECT_DOUBLE_EQ(op_seconds(OpCost{"m", OpKind::Matmul, 1e11, 3e9}, dev), 6.0);     // memory bound
  EXPECT_DOUBLE_EQ(op_seconds(OpCost{"a", OpKind::Attention, 1e12, 0, 3}, dev), 12.0);  // 3 repeats x 4 s
  EXPECT_DOUBLE_EQ(op_seconds(OpCost{"e", OpKind::Memory, 5e12, 1e9}, dev), 2.0);     // FLOPs ignored
}

TEST(SimulateCost, RowErrorsNameTheKey) {
  nlohmann::json row = {{"key", "s|pevlm"}, {"tokens", {{"total", 10}, {"sink", 4}, {"blocks", {3}}, {"question", 2}}}};
  try {
    plan_tokens_from_row(row);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("s|pevlm"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("!= total 10"), std::string::npos) << e.what();
  }
  row["model"] = {{"config", {{"hidden", 8}}}};
  try {
    model_dims_from_row(row);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("'layers'"), std::string::npos) << e.what();
  }
  // Vision patches without a vision config: an error, not Qwen2.5-VL defaults in silence.
  nlohmann::json r2 = {{"key", "v|full"}, {"tokens", {{"total", 10}}}, {"vision_patches", 64}, {"frames", 2},
                       {"model", {{"config", {{"hidden", 8}, {"layers", 2}, {"heads", 2}, {"kv_heads", 1}, {"head_dim", 4},
                                              {"intermediate", 16}, {"vocab", 32}}}}}};
  try {
    sample_shape_from_row(r2);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("'vision'"), std::string::npos) << e.what();
  }
}

TEST(SimulateCost, InLlmReductionCostsTwoPhases) {
  // FastV (issue 26): layers < from_layer run the N-token plan, the rest the kept N' tokens' plan.
  const nlohmann::json cfg = {{"hidden", 64}, {"layers", 8},  {"heads", 4},  {"kv_heads", 2},
                              {"head_dim", 16}, {"intermediate", 128}, {"vocab", 32}};
  auto row = [&](int64_t total) {
    return nlohmann::json{{"key", "s|full"}, {"method", "full"}, {"tokens", {{"total", total}}}, {"model", {{"config", cfg}}},
                          {"generated_tokens", 3}};
  };
  nlohmann::json fastv = row(1000);
  fastv["tokens"]["after_reduction"] = {{"total", 600}};
  fastv["reduction"] = {{"name", "fastv"}, {"from_layer", 2}};
  DeviceProfile dev;
  dev.peak_tflops = 1, dev.memory_bandwidth_gbs = 100, dev.matmul_efficiency = 0.5, dev.attention_efficiency = 0.25;
  dev.bandwidth_efficiency = 0.5;
  const SampleCost all = predict_sample(sample_shape_from_row(row(1000)), dev);
  const SampleCost kept = predict_sample(sample_shape_from_row(row(600)), dev);
  const SampleCost two = predict_sample(sample_shape_from_row(fastv), dev);
  // Per-layer costs mix 2 : 6; the lm_head and per-layer overheads are the same in all three.
  EXPECT_NEAR(two.prefill_attention_ms, (2 * all.prefill_attention_ms + 6 * kept.prefill_attention_ms) / 8, 1e-9);
  EXPECT_NEAR(two.prefill_attention_flops, (2 * all.prefill_attention_flops + 6 * kept.prefill_attention_flops) / 8,
              1e-6 * all.prefill_attention_flops);
  EXPECT_NEAR(two.decode_flops, (2 * all.decode_flops + 6 * kept.decode_flops) / 8, 1e-6 * all.decode_flops);
  EXPECT_LT(two.llm_prefill_ms(), all.llm_prefill_ms());
  fastv["tokens"].erase("after_reduction");
  EXPECT_THROW(sample_shape_from_row(fastv), std::runtime_error);
}

TEST(SimulateFixture, DeterministicAndOrdered) {
  const ResultSet rs = load_results_jsonl(PEVLM_SOURCE_DIR "/tests/data/report/results.jsonl");
  const DeviceProfile dev = load_device_profile(PEVLM_SOURCE_DIR "/configs/devices/h20.yaml");
  const nlohmann::json a = simulate_report(rs.rows, dev, {20, 30, 40});
  const nlohmann::json b = simulate_report(rs.rows, dev, {20, 30, 40});
  EXPECT_EQ(a.dump(), b.dump());
  const auto& samples = a["samples"]["rows"];
  EXPECT_EQ(samples.size(), 19u);  // the failed row is not simulated
  // Same sample, same tokens: PEVLM 2f/16f is predicted faster than full; longer samples take longer.
  double full_s4 = 0, pevlm_s4 = 0, full_s1 = 0;
  for (const auto& s : samples) {
    if (s["sample_id"] == "s4_hour" && s["label"] == "full") full_s4 = s["predicted_total_s"];
    if (s["sample_id"] == "s1_short" && s["label"] == "full") full_s1 = s["predicted_total_s"];
    if (s["sample_id"] == "s4_hour" && s["label"] == "pevlm(sink_frames=2,block_frames=16,positions=retain)") pevlm_s4 = s["predicted_total_s"];
  }
  EXPECT_GT(full_s4, 2 * pevlm_s4);
  EXPECT_GT(full_s4, 10 * full_s1);
  // Density: full attention keeps every causal pair, PEVLM 2f/16f far fewer on the hour-long sample.
  for (const auto& s : samples) {
    if (s["label"] == "full") EXPECT_DOUBLE_EQ(s["attention_density"].get<double>(), 1.0);
    if (s["sample_id"] == "s4_hour" && s["label"] == "pevlm(sink_frames=2,block_frames=16,positions=retain)")
      EXPECT_LT(s["attention_density"].get<double>(), 0.5);
  }
  EXPECT_EQ(a["table2"]["rows"].size(), 5u);
}

TEST(SimulatePaperCheck, H20MatchesThePaper) {
  const DeviceProfile dev = load_device_profile(PEVLM_SOURCE_DIR "/configs/devices/h20.yaml");
  const nlohmann::json pc = paper_check(dev);
  EXPECT_EQ(pc["inputs"]["layout"]["total_tokens"], 20 + 412 * 256 + 60);
  for (const auto& c : pc["checks"]) EXPECT_TRUE(c["pass"].get<bool>()) << c.dump();
}

}  // namespace
}  // namespace pevlm
