// The Qwen3-VL decoder (the shared decoder's Qwen3 variant: q/k RMSNorm before RoPE, no q/k/v bias,
// tied embeddings, interleaved M-RoPE) with DeepStack adds, end to end from the golden pixels, against
// transformers (tests/data/golden/qwen3_vl_tiny): spliced embeddings, RoPE tables, every layer, prefill
// logits under full attention and under PEVLM plans (4-D mask + full-attention positions), 8 greedy
// tokens. fp32, max-abs <= 1e-4. Negative checks: the chunked rope mix or another DeepStack order fails.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <memory>

#include "attention/executor.h"
#include "methods/method_registry.h"
#include "models/llm/decoder.h"
#include "models/llm/rope.h"
#include "models/llm/weights.h"
#include "models/qwen3_vl/prompt.h"
#include "models/qwen3_vl/text.h"
#include "models/qwen3_vl/vision.h"
#include "models/safetensors/safetensors.h"
#include "qwen3_vl_golden.h"

namespace pevlm::qwen3_vl {
namespace {

using testing::expect_close;
using testing::golden;
using testing::golden_dir;
using testing::golden_ids;

constexpr int64_t kVideoPad = 569;

class Qwen3VLLlm : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    checkpoint_ = std::make_unique<safetensors::Checkpoint>(safetensors::Checkpoint::open(golden_dir()));
    config_ = std::make_unique<Qwen3VLConfig>(load_config(golden_dir()));
    VisionTower tower = VisionTower::load(*checkpoint_, config_->vision, at::kFloat);
    at::Tensor g = golden("video_grid_thw").view(-1);
    vision_ = std::make_unique<VisionOutput>(tower.forward(golden("pixel_values_videos"),
                                                           {{g[0].item<int64_t>(), g[1].item<int64_t>(), g[2].item<int64_t>()}}));
    const auto tok = tokenizer::Tokenizer::load(golden_dir() + "/tokenizer.json");
    TimedVideo video{{3, 2, 3}, patch_timestamps(golden_ids("frame_indices"), 4.0, 2)};
    prompt_ = std::make_unique<BuiltPrompt>(
        build_video_prompt(tok, {565, 566, kVideoPad}, "You are a helpful assistant.", "", video, "What is shown in the video?"));
    executor_ = attention::make_executor("reference");
  }
  static void TearDownTestSuite() {
    checkpoint_.reset();
    config_.reset();
    vision_.reset();
    prompt_.reset();
    executor_.reset();
  }
  static llm::Decoder decoder(const llm::TextConfig& text) {
    return llm::Decoder(text, llm::load_weights(*checkpoint_, text, at::kFloat), {at::kFloat});
  }
  // The prefill input: spliced embeddings with the DeepStack features as extra column blocks.
  static at::Tensor input(const llm::Decoder& d, std::vector<at::Tensor> features = vision_->deepstack) {
    return with_deepstack(d.embed_with_vision(prompt_->ids, vision_->embeds, kVideoPad), prompt_->ids, kVideoPad, features);
  }
  static AttentionPlan plan(const nlohmann::json& method) {
    return build_plan(resolve_method(method), prompt_->layout);
  }

  static std::unique_ptr<safetensors::Checkpoint> checkpoint_;
  static std::unique_ptr<Qwen3VLConfig> config_;
  static std::unique_ptr<VisionOutput> vision_;
  static std::unique_ptr<BuiltPrompt> prompt_;
  static std::unique_ptr<attention::Executor> executor_;
};
std::unique_ptr<safetensors::Checkpoint> Qwen3VLLlm::checkpoint_;
std::unique_ptr<Qwen3VLConfig> Qwen3VLLlm::config_;
std::unique_ptr<VisionOutput> Qwen3VLLlm::vision_;
std::unique_ptr<BuiltPrompt> Qwen3VLLlm::prompt_;
std::unique_ptr<attention::Executor> Qwen3VLLlm::executor_;

TEST_F(Qwen3VLLlm, VariantConfigAndTiedHead) {
  llm::TextConfig t = config_->text;
  EXPECT_EQ(t.rope_kind, llm::RopeKind::MropeInterleaved);
  EXPECT_TRUE(t.qk_norm);
  EXPECT_FALSE(t.qkv_bias);
  llm::Decoder d = decoder(t);
  EXPECT_TRUE(d.weights().tied);
}

TEST_F(Qwen3VLLlm, InterleavedRopeTablesMatchTransformers) {
  llm::TextConfig t = config_->text;
  llm::RotaryTables r = llm::rope_tables(prompt_->layout.positions, t);
  expect_close(r.cos_LD, golden("text_rope_cos"), "rope cos");
  expect_close(r.sin_LD, golden("text_rope_sin"), "rope sin");
}

TEST_F(Qwen3VLLlm, FullAttentionEveryLayerLogitsAndGreedyTokens) {
  llm::Decoder d = decoder(config_->text);
  expect_close(d.embed_with_vision(prompt_->ids, vision_->embeds, kVideoPad), golden("inputs_embeds"),
               "spliced input embeddings");
  llm::PrefillOptions o{llm::LogitRows::All};
  o.keep_hidden_states = true;
  llm::Session s = d.prefill(input(d), plan({{"name", "full"}}), *executor_, o);
  // hidden_states[n + 1] is after layer n and its DeepStack add; the golden layer outputs are before it.
  std::vector<int64_t> pads;
  for (size_t i = 0; i < prompt_->ids.size(); ++i)
    if (prompt_->ids[i] == kVideoPad) pads.push_back(int64_t(i));
  at::Tensor rows = at::tensor(pads, at::kLong);
  ASSERT_EQ(vision_->deepstack.size(), 3u);
  for (int64_t n = 0; n < 4; ++n) {
    at::Tensor want = golden("text_layer" + std::to_string(n) + "_out").clone();
    if (n < 3) want.index_add_(0, rows, vision_->deepstack[size_t(n)]);
    if (n + 1 < 4) expect_close(s.hidden_states[size_t(n + 1)], want, "layer " + std::to_string(n));
  }
  expect_close(s.hidden_states.back(), golden("final_hidden"), "final norm");
  expect_close(s.logits_LV, golden("prefill_logits"), "prefill logits");
  llm::GenerationResult g = d.generate(s, {8, {}, true});
  EXPECT_EQ(g.tokens, golden_ids("generated_ids"));
  expect_close(g.logits_NV, golden("decode_logits"), "decode logits");
}

// DeepStack is a per-token add, so it composes with any plan: every method's plan on the Qwen3-VL layout
// (PEVLM: blocks = whole temporal patches with their timestamp text; block_attention, Star and APE:
// token-sized blocks cutting through the patches) reproduces transformers' logits under the same 4-D
// masks with the full-attention positions (APE at T = S = 1 is a mask).
TEST_F(Qwen3VLLlm, EveryMethodPlanMatchesTransformersMaskedPrefill) {
  llm::Decoder d = decoder(config_->text);
  at::Tensor x = input(d);
  const std::vector<std::pair<std::string, nlohmann::json>> configs = {
      {"M1", {{"name", "full"}}},
      {"M2", {{"name", "block_attention"}, {"block_tokens", 20}, {"positions", "retain"}}},
      {"M3", {{"name", "star"}, {"anchor_tokens", 26}, {"block_tokens", 26}, {"positions", "retain"}}},
      {"M4", {{"name", "pevlm"}, {"sink_frames", 1}, {"block_frames", 1}}},
      {"M5", {{"name", "pevlm"}, {"sink_frames", 0}, {"block_frames", 1}}},
      {"M6", {{"name", "ape"}, {"prefix_tokens", 20}, {"block_tokens", 16}, {"temperature", 1.0}, {"scale", 1.0},
              {"positions", "retain"}}},
      {"M7", {{"name", "pevlm"}, {"sink_frames", 0}, {"block_frames", 2}}}};
  for (const auto& [name, method] : configs) {
    AttentionPlan p = plan(method);
    at::Tensor mask = golden(name + ".mask").contiguous();
    EXPECT_EQ(p.dense_mask(), std::vector<uint8_t>(mask.data_ptr<uint8_t>(), mask.data_ptr<uint8_t>() + mask.numel()))
        << name << " mask";
    EXPECT_EQ(p.positions, prompt_->layout.positions) << name << " keeps the full-attention positions";
    expect_close(d.prefill(x, p, *executor_, {llm::LogitRows::All}).logits_LV, golden(name + ".logits"), name + " logits");
  }
}

// The parity tests see the rope interleaving and the DeepStack order (issue 23's negative checks).
TEST_F(Qwen3VLLlm, ChunkedRopeOrAnotherDeepStackOrderBreaksParity) {
  llm::TextConfig chunked = config_->text;
  chunked.rope_kind = llm::RopeKind::MropeChunked;
  llm::Decoder wrong_rope = decoder(chunked);
  const AttentionPlan full = plan({{"name", "full"}});
  const llm::PrefillOptions all{llm::LogitRows::All};
  const at::Tensor want = golden("prefill_logits");
  EXPECT_GT(testing::max_abs(wrong_rope.prefill(input(wrong_rope), full, *executor_, all).logits_LV, want), 1e-2);
  llm::Decoder d = decoder(config_->text);
  const auto& f = vision_->deepstack;
  ASSERT_EQ(f.size(), 3u);
  EXPECT_GT(testing::max_abs(d.prefill(input(d, {f[1], f[0], f[2]}), full, *executor_, all).logits_LV, want), 1e-2);
  EXPECT_GT(testing::max_abs(d.prefill(input(d, {}), full, *executor_, all).logits_LV, want), 1e-2);
  EXPECT_LE(testing::max_abs(d.prefill(input(d), full, *executor_, all).logits_LV, want), testing::kFp32Tolerance);
}

}  // namespace
}  // namespace pevlm::qwen3_vl
