// Qwen3-VL config reader and vision tower (+ DeepStack) against the transformers golden
// (tests/data/golden/qwen3_vl_tiny), fp32 max-abs <= 1e-4 at every stage.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "models/qwen3_vl/config.h"
#include "models/qwen3_vl/vision.h"
#include "models/safetensors/safetensors.h"
#include "qwen3_vl_golden.h"

namespace pevlm::qwen3_vl {
namespace {

using testing::expect_close;
using testing::golden;
using testing::golden_dir;

Grid golden_grid() {
  at::Tensor g = golden("video_grid_thw").view(-1);
  return {g[0].item<int64_t>(), g[1].item<int64_t>(), g[2].item<int64_t>()};
}

VisionTower tiny_tower(const Qwen3VLConfig& config) {
  // fp32 weights loaded as fp32 on the CPU are views of the mapped file: keep it open.
  static const safetensors::Checkpoint checkpoint = safetensors::Checkpoint::open(golden_dir());
  return VisionTower::load(checkpoint, config.vision, at::kFloat);
}

TEST(Qwen3VLConfig, ReadsTheGoldenCheckpointIn457Spelling) {
  Qwen3VLConfig c = load_config(golden_dir());
  EXPECT_EQ(c.text.num_layers, 4);
  EXPECT_EQ(c.text.head_dim, 32);  // != hidden 64 / 4 heads, as the 4B model
  EXPECT_EQ(c.text.mrope_section, (std::array<int64_t, 3>{6, 5, 5}));
  EXPECT_DOUBLE_EQ(c.text.rope_theta, 5e6);
  EXPECT_TRUE(c.text.tie_word_embeddings);
  EXPECT_EQ(c.vision.deepstack_visual_indexes, (std::vector<int64_t>{0, 1, 3}));
  EXPECT_EQ(c.vision.position_grid_side(), 8);
  EXPECT_EQ(c.tokens.video_pad, 569);
  EXPECT_EQ(c.tokens.vision_start, 565);
}

nlohmann::json minimal_config() {
  return {{"model_type", "qwen3_vl"},
          {"text_config", {{"hidden_size", 64}, {"num_hidden_layers", 4}, {"num_attention_heads", 4},
                           {"num_key_value_heads", 2}, {"head_dim", 32}, {"intermediate_size", 112},
                           {"vocab_size", 600}, {"rope_parameters", {{"rope_type", "default"}, {"rope_theta", 5e6},
                                                                     {"mrope_section", {6, 5, 5}}}}}},
          {"vision_config", {{"depth", 4}, {"hidden_size", 32}, {"num_heads", 2}, {"intermediate_size", 48},
                             {"out_hidden_size", 64}, {"num_position_embeddings", 64},
                             {"deepstack_visual_indexes", {0, 1, 3}}}},
          {"vision_start_token_id", 565}, {"vision_end_token_id", 566}, {"video_token_id", 569}};
}

TEST(Qwen3VLConfig, Reads5xRopeParametersAndClassDefaults) {
  Qwen3VLConfig c = parse_config(minimal_config().dump(), "mem.json");
  EXPECT_DOUBLE_EQ(c.text.rope_theta, 5e6);
  EXPECT_EQ(c.vision.patch_size, 16);  // Qwen3VLVisionConfig default
  EXPECT_EQ(c.vision.temporal_patch_size, 2);
  EXPECT_FALSE(c.text.tie_word_embeddings);
  EXPECT_DOUBLE_EQ(c.text.rms_norm_eps, 1e-6);
}

void expect_error(const nlohmann::json& j, const std::string& needle) {
  try {
    parse_config(j.dump(), "bad.json");
    ADD_FAILURE() << "no error for " << needle;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("bad.json"), std::string::npos) << e.what();
  }
}

TEST(Qwen3VLConfig, ErrorsNameTheKey) {
  auto j = minimal_config();
  j["model_type"] = "qwen3_vl_moe";
  expect_error(j, "model_type");
  j = minimal_config();
  j["text_config"]["rope_parameters"]["mrope_section"] = {6, 5, 4};
  expect_error(j, "mrope_section");
  j = minimal_config();
  j["vision_config"]["deepstack_visual_indexes"] = {0, 4};
  expect_error(j, "deepstack_visual_indexes");
  j = minimal_config();
  j["vision_config"]["num_position_embeddings"] = 60;
  expect_error(j, "num_position_embeddings");
  j = minimal_config();
  j["text_config"]["rope_scaling"] = {{"mrope_section", {6, 5, 5}}};
  expect_error(j, "keep one");
  j = minimal_config();
  j["text_config"].erase("head_dim");
  j["text_config"]["head_dim"] = nullptr;
  expect_error(j, "head_dim");
}

TEST(Qwen3VLConfig, PresetsOfTheReleasedSizes) {
  Qwen3VLConfig b8 = config_preset("qwen3-vl-8b-instruct");
  EXPECT_EQ(b8.text.num_layers, 36);
  EXPECT_EQ(b8.text.num_heads, 32);
  EXPECT_EQ(b8.text.num_kv_heads, 8);
  EXPECT_EQ(b8.text.head_dim, 128);
  EXPECT_FALSE(b8.text.tie_word_embeddings);
  EXPECT_EQ(b8.vision.deepstack_visual_indexes, (std::vector<int64_t>{8, 16, 24}));
  Qwen3VLConfig b4 = config_preset("qwen3-vl-4b");
  EXPECT_EQ(b4.text.hidden_size, 2560);  // head_dim 128 != 2560 / 32
  EXPECT_TRUE(b4.text.tie_word_embeddings);
  EXPECT_EQ(config_preset("qwen3-vl-2b").text.num_layers, 28);
  EXPECT_THROW(config_preset("qwen3-vl-30b-a3b"), std::invalid_argument);
}

TEST(Qwen3VLVisionPositions, InterpolationTapsAndRotaryIdsMatchTransformers) {
  InterpolationTaps taps = position_interpolation(golden_grid(), 8, 2);
  EXPECT_TRUE(at::equal(taps.indices, golden("vision_pos_interp_indices")));
  expect_close(taps.weights, golden("vision_pos_interp_weights"), "interpolation weights", 0.0);
  EXPECT_TRUE(at::equal(rotary_position_ids(golden_grid(), 2), golden("vision_rot_position_ids")));
}

TEST(Qwen3VLVision, EveryStageMatchesTransformers) {
  Qwen3VLConfig config = load_config(golden_dir());
  VisionTower tower = tiny_tower(config);
  VisionTrace trace;
  VisionOutput out = tower.forward(golden("pixel_values_videos"), {golden_grid()}, &trace);
  expect_close(trace.patch_embed, golden("vision_patch_embed"), "patch embed");
  expect_close(trace.pos_embeds, golden("vision_pos_embeds"), "interpolated position embeddings");
  expect_close(trace.hidden_in, golden("vision_pos_added"), "patch embed + positions");
  ASSERT_EQ(trace.block_out.size(), 4u);
  for (size_t i = 0; i < trace.block_out.size(); ++i)
    expect_close(trace.block_out[i], golden("vision_block" + std::to_string(i) + "_out"), "block " + std::to_string(i));
  ASSERT_EQ(out.deepstack.size(), 3u);
  for (size_t j = 0; j < out.deepstack.size(); ++j)
    expect_close(out.deepstack[j], golden("deepstack_feature" + std::to_string(j)), "DeepStack " + std::to_string(j));
  expect_close(out.embeds, golden("vision_embeds"), "merger output");
}

TEST(Qwen3VLVision, ChunkedByTemporalStepsIsExact) {
  Qwen3VLConfig config = load_config(golden_dir());
  VisionTower tower = tiny_tower(config);
  VisionOutput whole = tower.forward(golden("pixel_values_videos"), {golden_grid()}, nullptr, 0);
  VisionOutput pieces = tower.forward(golden("pixel_values_videos"), {golden_grid()}, nullptr, 30);  // 1 step each
  // Same maths; only the GEMM blocking over fewer rows may change the float rounding.
  ASSERT_EQ(pieces.deepstack.size(), whole.deepstack.size());
  EXPECT_LE(testing::max_abs(pieces.embeds, whole.embeds), 1e-5);
  for (size_t j = 0; j < whole.deepstack.size(); ++j)
    EXPECT_LE(testing::max_abs(pieces.deepstack[j], whole.deepstack[j]), 1e-5) << j;
}

// A DeepStack feature taken after another block no longer matches: the parity test is sensitive to
// the index (issue 23's negative check).
TEST(Qwen3VLVision, AnotherDeepStackIndexBreaksParity) {
  Qwen3VLConfig config = load_config(golden_dir());
  config.vision.deepstack_visual_indexes = {0, 2, 3};
  VisionOutput out = tiny_tower(config).forward(golden("pixel_values_videos"), {golden_grid()});
  ASSERT_EQ(out.deepstack.size(), 3u);
  EXPECT_GT(testing::max_abs(out.deepstack[1], golden("deepstack_feature1")), 1e-2);
  EXPECT_LE(testing::max_abs(out.deepstack[0], golden("deepstack_feature0")), testing::kFp32Tolerance);
}

TEST(Qwen3VLVision, WrongPixelShapeIsAClearError) {
  Qwen3VLConfig config = load_config(golden_dir());
  VisionTower tower = tiny_tower(config);
  EXPECT_THROW(tower.forward(at::zeros({10, 1536}), {golden_grid()}), std::invalid_argument);
}

}  // namespace
}  // namespace pevlm::qwen3_vl
