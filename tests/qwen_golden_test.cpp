// Qwen2.5-VL language model against the golden fixtures (qwen2_5_vl_tiny: prefill logits, hidden
// states, rotary tables, greedy generation with KV cache), run once per fixture root
// (tests/qwen_golden_dirs.h: tests/data/golden = transformers 5.x, ../shared/golden = 4.50).
// Values that depend on the fixture's transformers version (the decode start position, the
// greedy tokens) are read from the fixture. Everything in float32.
//
// Tolerances (fp32; the reference ran eager attention on torch 1.13, we run other kernels, so
// summation orders differ): logits max-abs 1e-4 (logit std ~1.6) and NMSE 1e-10; hidden states
// max-abs 2e-4 (|h| up to ~21); rotary tables max-abs 1e-6.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "attention/executor.h"
#include "methods/attention_plan.h"
#include "methods/method_registry.h"
#include "models/llm/decoder.h"
#include "models/llm/rope.h"
#include "models/safetensors/torch_tensor.h"
#include "tests/qwen_golden_dirs.h"
#include "tests/qwen_golden_util.h"
#include "models/qwen2_5_vl/config.h"
#include "models/qwen2_5_vl/llm_load.h"

namespace q = pevlm::qwen2_5_vl;
namespace llm = pevlm::llm;
namespace st = pevlm::safetensors;

namespace {

at::Tensor golden(const std::string& file, const std::string& name) {
  return st::to_tensor_copy(st::Checkpoint::open(file).get(name));
}

using pevlm::testing::golden_layout;
using pevlm::testing::to_ids;
using pevlm::testing::to_positions;

double max_abs(const at::Tensor& a, const at::Tensor& b) { return (a - b).abs().max().item<double>(); }
double nmse(const at::Tensor& a, const at::Tensor& ref) {
  return ((a - ref).pow(2).sum() / ref.pow(2).sum()).item<double>();
}

void expect_close(const at::Tensor& got, const at::Tensor& want, double tol_abs, const std::string& what) {
  ASSERT_EQ(got.sizes(), want.sizes()) << what;
  std::cout << "[golden] " << what << ": max-abs " << max_abs(got, want) << ", NMSE " << nmse(got, want) << "\n";
  EXPECT_LT(max_abs(got, want), tol_abs) << what;
  EXPECT_LT(nmse(got, want), 1e-10) << what;
}

class QwenGolden : public ::testing::TestWithParam<pevlm::test::GoldenRoot> {
 protected:
  void SetUp() override {
    const std::string missing = pevlm::test::golden_missing({GetParam().golden_file()});
    if (!missing.empty()) GTEST_SKIP() << missing;
    llm_ = std::make_unique<llm::Decoder>(q::load_llm(GetParam().model_dir(), {at::kFloat}));
    embeds_ = golden("inputs_embeds");
    positions_ = to_positions(golden("position_ids"));
    reference_ = pevlm::attention::make_executor("reference");
  }
  pevlm::AttentionPlan full_plan() const { return pevlm::make_full_plan(golden_layout(positions_)); }
  at::Tensor golden(const std::string& name) const { return ::golden(GetParam().golden_file(), name); }
  // First decode position = L + rope_delta (4.50: 17; 5.x: 16, its text-after-video rule).
  int64_t decode_start() const { return 48 + golden("rope_deltas").item<int64_t>(); }

  std::unique_ptr<llm::Decoder> llm_;
  at::Tensor embeds_;
  pevlm::PositionIds positions_;
  std::unique_ptr<pevlm::attention::Executor> reference_;
};

TEST_P(QwenGolden, RotaryAxisTablesMatchTransformers) {
  llm::RotaryTables t = llm::mrope_axis_tables(positions_, 16, 10000.0);
  EXPECT_LT(max_abs(t.cos_LD, golden("text_rope_cos")), 1e-6);
  EXPECT_LT(max_abs(t.sin_LD, golden("text_rope_sin")), 1e-6);
}

TEST_P(QwenGolden, VisionEmbeddingsAreSplicedAtVideoPads) {
  at::Tensor x = llm_->embed_with_vision(to_ids(golden("input_ids")), golden("vision_embeds"),
                                          q::load_config(GetParam().model_dir()).tokens.video_pad);
  EXPECT_TRUE(at::equal(x, embeds_));
}

TEST_P(QwenGolden, PrefillLogitsAndHiddenStates) {
  llm::PrefillOptions options{llm::LogitRows::All, /*keep_hidden_states=*/true};
  llm::Session s = llm_->prefill(embeds_, full_plan(), *reference_, options);
  expect_close(s.logits_LV, golden("prefill_logits"), 1e-4, "prefill logits");
  at::Tensor hidden = golden("text_hidden_states");
  ASSERT_EQ(s.hidden_states.size(), 3u);
  for (int64_t i = 0; i < 3; ++i)
    EXPECT_LT(max_abs(s.hidden_states[size_t(i)], hidden[i]), 2e-4) << "hidden state " << i;
  EXPECT_EQ(s.next_position, decode_start());  // max(position ids) + 1 = L + rope_delta
  EXPECT_EQ(s.timings.prefill_tokens, 48);
  EXPECT_GT(s.timings.prefill_attention_ms, 0.0);
}

TEST_P(QwenGolden, GreedyGenerationWithKvCache) {
  llm::Session s = llm_->prefill(embeds_, full_plan(), *reference_);
  llm::GenerationResult r = llm_->generate(s, {.max_new_tokens = 8, .stop_ids = {1}, .keep_logits = true});
  EXPECT_EQ(r.tokens, to_ids(golden("generated_ids")));
  EXPECT_FALSE(r.stopped);
  expect_close(r.logits_NV, golden("decode_logits"), 1e-4, "decode logits");
  EXPECT_EQ(s.timings.decode_steps, 7);  // the 8th token needs no forward pass
  EXPECT_EQ(s.next_position, decode_start() + 7);
}

TEST_P(QwenGolden, StopTokenEndsGeneration) {
  llm::Session s = llm_->prefill(embeds_, full_plan(), *reference_);
  // Stop at the 4th greedy token ({89, 33, 89, 47} stopping at 47 for the 4.50 fixture): generation
  // ends at its first occurrence.
  const std::vector<int64_t> greedy = to_ids(golden("generated_ids"));
  const auto stop = std::find(greedy.begin(), greedy.end(), greedy[3]);
  llm::GenerationResult r = llm_->generate(s, {.max_new_tokens = 8, .stop_ids = {greedy[3]}, .keep_logits = false});
  EXPECT_EQ(r.tokens, std::vector<int64_t>(greedy.begin(), stop + 1));
  EXPECT_TRUE(r.stopped);
}

// The KV-cache path equals one full forward over prompt + generated tokens (positions from
// get_rope_index on the full sequence).
TEST_P(QwenGolden, KvCacheDecodeEqualsFullForward) {
  std::vector<int64_t> generated = to_ids(golden("generated_ids"));
  llm::Session s = llm_->prefill(embeds_, full_plan(), *reference_);
  at::Tensor decoded = llm_->decode(s, std::vector<int64_t>(generated.begin(), generated.begin() + 7));

  at::Tensor all_pos = golden("full_sequence_position_ids").narrow(1, 0, 55);
  at::Tensor x = at::cat({embeds_, llm_->embed(std::vector<int64_t>(generated.begin(), generated.begin() + 7))});
  pevlm::TokenLayout layout;
  layout.spans = {{pevlm::SpanKind::Text, 0, 55}};
  layout.length = 55;
  layout.positions = to_positions(all_pos.contiguous());
  llm::Session full = llm_->prefill(x, pevlm::make_full_plan(layout), *reference_, {llm::LogitRows::All});
  EXPECT_LT(max_abs(decoded, full.logits_LV.narrow(0, 48, 7)), 1e-4);
  // Decoding token by token gives the same as decoding the 7 tokens at once.
  llm::Session one = llm_->prefill(embeds_, full_plan(), *reference_);
  for (int64_t i = 0; i < 7; ++i)
    EXPECT_LT(max_abs(llm_->decode(one, {generated[size_t(i)]})[0], decoded[i]), 1e-4) << "step " << i;
}

TEST_P(QwenGolden, CpuExecutorMatchesReference) {
  auto cpu = pevlm::attention::make_executor("cpu");
  nlohmann::json ape = {{"name", "ape"}, {"prefix_tokens", 5}, {"block_tokens", 12}};  // T = S = 0.9
  for (const pevlm::AttentionPlan& plan :
       {full_plan(), pevlm::build_plan(pevlm::resolve_method(ape), golden_layout(positions_))}) {
    llm::Session a = llm_->prefill(embeds_, plan, *reference_, {llm::LogitRows::All});
    llm::Session b = llm_->prefill(embeds_, plan, *cpu, {llm::LogitRows::All});
    EXPECT_LT(max_abs(a.logits_LV, b.logits_LV), 1e-4) << plan.method;
    llm::GenerationResult ga = llm_->generate(a, {.max_new_tokens = 4, .stop_ids = {}, .keep_logits = true});
    llm::GenerationResult gb = llm_->generate(b, {.max_new_tokens = 4, .stop_ids = {}, .keep_logits = true});
    EXPECT_EQ(ga.tokens, gb.tokens) << plan.method;
    EXPECT_LT(max_abs(ga.logits_NV, gb.logits_NV), 1e-4) << plan.method;
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, QwenGolden, ::testing::ValuesIn(pevlm::test::golden_roots()),
                         pevlm::test::golden_root_name);

}  // namespace
