// The variants of the shared Qwen decoder (models/llm/, issue 23): q/k/v without bias, q/k RMSNorm
// before RoPE (Qwen3Attention), interleaved M-RoPE (Qwen3-VL), and the rope-kind checks. The families
// that use them carry their own transformers parity tests; these pin the mechanics on random weights.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "attention/executor.h"
#include "methods/attention_plan.h"
#include "methods/token_layout.h"
#include "models/llm/decoder.h"
#include "models/llm/rope.h"
#include "models/llm/text_config.h"
#include "models/llm/weights.h"

namespace llm = pevlm::llm;

namespace {

llm::TextConfig tiny_text() {
  llm::TextConfig t;
  t.hidden_size = 64;
  t.num_layers = 2;
  t.num_heads = 4;
  t.num_kv_heads = 2;
  t.head_dim = 16;
  t.intermediate_size = 96;
  t.vocab_size = 50;
  t.rope_theta = 10000.0;
  t.rms_norm_eps = 1e-6;
  t.mrope_section = {2, 3, 3};
  t.max_position_embeddings = 4096;
  return t;
}

// A full-attention plan over L text tokens; with 3 axes the rows differ (so the M-RoPE mix matters).
pevlm::AttentionPlan full_plan(int64_t L, int axes) {
  pevlm::TokenLayout layout;
  layout.spans = {{pevlm::SpanKind::Text, 0, L}};
  layout.length = L;
  layout.positions = pevlm::PositionIds(axes, L);
  for (int a = 0; a < axes; ++a)
    for (int64_t i = 0; i < L; ++i) layout.positions.at(a, i) = a == 0 ? i : (i * (a + 1)) % 7;
  return pevlm::make_full_plan(layout);
}

at::Tensor prefill_logits(const llm::Decoder& d, const at::Tensor& x, const pevlm::AttentionPlan& plan) {
  auto ex = pevlm::attention::make_executor("reference");
  llm::PrefillOptions o;
  o.logits = llm::LogitRows::All;
  return d.prefill(x, plan, *ex, o).logits_LV;
}

bool has(const std::vector<llm::WeightSpec>& table, const std::string& name) {
  return std::any_of(table.begin(), table.end(), [&](const llm::WeightSpec& s) { return s.name == name; });
}

TEST(LlmVariants, WeightTableFollowsBiasAndQkNorm) {
  llm::TextConfig t = tiny_text();
  auto table = llm::weight_table(t);
  EXPECT_TRUE(has(table, "layers.0.self_attn.q_proj.bias"));
  EXPECT_FALSE(has(table, "layers.0.self_attn.q_norm.weight"));
  t.qkv_bias = false;
  t.qk_norm = true;
  table = llm::weight_table(t);
  for (const char* b : {"q_proj.bias", "k_proj.bias", "v_proj.bias"})
    EXPECT_FALSE(has(table, std::string("layers.1.self_attn.") + b)) << b;
  for (const llm::WeightSpec& s : table)
    if (s.name == "layers.1.self_attn.q_norm.weight" || s.name == "layers.1.self_attn.k_norm.weight")
      EXPECT_EQ(s.shape, (std::vector<int64_t>{t.head_dim})) << s.name;
  EXPECT_TRUE(has(table, "layers.1.self_attn.k_norm.weight"));
}

// Without q/k/v bias the decoder equals the biased one with zero biases.
TEST(LlmVariants, NoBiasEqualsZeroBias) {
  llm::TextConfig biased = tiny_text();
  llm::Weights w = llm::random_weights(biased, 3, at::kFloat, 0.08);
  for (auto& l : w.layers)
    for (at::Tensor* b : {&l.q_b, &l.k_b, &l.v_b}) b->zero_();
  llm::TextConfig plain = biased;
  plain.qkv_bias = false;
  llm::Weights wp = llm::random_weights(plain, 3, at::kFloat, 0.08);
  // Same tensors except the biases: copy every shared one from the biased set.
  wp.embed_VD = w.embed_VD;
  wp.norm_D = w.norm_D;
  wp.lm_head_VD = w.lm_head_VD;
  for (size_t n = 0; n < wp.layers.size(); ++n) {
    llm::LayerWeights l = w.layers[n];
    l.q_b = l.k_b = l.v_b = at::Tensor();
    wp.layers[n] = l;
  }
  const llm::Decoder a(biased, w, {at::kFloat});
  const llm::Decoder b(plain, wp, {at::kFloat});
  at::manual_seed(0);
  const at::Tensor x = at::randn({9, biased.hidden_size});
  EXPECT_TRUE(at::equal(prefill_logits(a, x, full_plan(9, 1)), prefill_logits(b, x, full_plan(9, 1))));
}

// q/k RMSNorm makes attention invariant to the scale of q_proj / k_proj (up to eps), which a decoder
// without it is not.
TEST(LlmVariants, QkNormNormalisesQueriesAndKeysPerHead) {
  llm::TextConfig t = tiny_text();
  t.qkv_bias = false;
  t.qk_norm = true;
  llm::Weights w = llm::random_weights(t, 5, at::kFloat, 0.08);
  ASSERT_TRUE(w.layers[0].q_norm_D.defined());
  llm::Weights scaled = llm::random_weights(t, 5, at::kFloat, 0.08);
  for (auto& l : scaled.layers) {
    l.q_w = l.q_w * 3.0;
    l.k_w = l.k_w * 0.5;
  }
  at::manual_seed(1);
  const at::Tensor x = at::randn({7, t.hidden_size});
  const auto plan = full_plan(7, 3);
  const at::Tensor ref = prefill_logits(llm::Decoder(t, w, {at::kFloat}), x, plan);
  EXPECT_LT((prefill_logits(llm::Decoder(t, scaled, {at::kFloat}), x, plan) - ref).abs().max().item<double>(), 1e-4);
  llm::TextConfig no_norm = t;
  no_norm.qk_norm = false;
  llm::Weights wn = w, sn = scaled;
  for (auto* ws : {&wn, &sn})
    for (auto& l : ws->layers) l.q_norm_D = l.k_norm_D = at::Tensor();
  const at::Tensor a = prefill_logits(llm::Decoder(no_norm, wn, {at::kFloat}), x, plan);
  const at::Tensor b = prefill_logits(llm::Decoder(no_norm, sn, {at::kFloat}), x, plan);
  EXPECT_GT((a - b).abs().max().item<double>(), 1e-3);
}

// transformers modeling_qwen3_vl.py Qwen3VLTextRotaryEmbedding.apply_interleaved_mrope, written as
// it is there: start from the T table, then for H (offset 1) and W (offset 2) overwrite the
// frequencies offset, offset + 3, ... below 3 * section[axis] (and head_dim / 2); both halves of
// cat(freqs, freqs).
at::Tensor reference_interleave(const at::Tensor& axes_3LD, const std::array<int64_t, 3>& section) {
  const int64_t D = axes_3LD.size(2), half = D / 2;
  at::Tensor out = axes_3LD.select(0, 0).clone();
  for (int64_t axis : {1, 2}) {
    const int64_t length = std::min(section[size_t(axis)] * 3, half);  // a Python slice stops at the end
    for (int64_t i = axis; i < length; i += 3)
      for (int64_t h : {int64_t(0), half}) out.select(1, h + i).copy_(axes_3LD.select(0, axis).select(1, h + i));
  }
  return out;
}

TEST(LlmVariants, InterleavedMropeMatchesTheReferenceSlices) {
  pevlm::PositionIds pos;
  pos.axes = 3;
  pos.length = 11;
  for (int a = 0; a < 3; ++a)
    for (int64_t i = 0; i < pos.length; ++i) pos.ids.push_back(i * (a + 2) + a);
  for (const auto& [head_dim, section] :
       std::vector<std::pair<int64_t, std::array<int64_t, 3>>>{{128, {24, 20, 20}}, {16, {2, 3, 3}}, {16, {4, 2, 2}}}) {
    llm::TextConfig t = tiny_text();
    t.head_dim = head_dim;
    t.mrope_section = section;
    t.rope_kind = llm::RopeKind::MropeInterleaved;
    const llm::RotaryTables axes = llm::mrope_axis_tables(pos, head_dim, t.rope_theta);
    const llm::RotaryTables mixed = llm::rope_tables(pos, t);
    EXPECT_TRUE(at::equal(mixed.cos_LD, reference_interleave(axes.cos_LD, section))) << head_dim;
    EXPECT_TRUE(at::equal(mixed.sin_LD, reference_interleave(axes.sin_LD, section))) << head_dim;
    // Decode: equal positions on every axis give the 1-D tables whatever the mix.
    const llm::RotaryTables d = llm::rope_tables_1d(5, 3, t);
    const llm::RotaryTables line = llm::mrope_tables_1d(5, 3, head_dim, t.rope_theta, {head_dim / 2, 0, 0});
    EXPECT_TRUE(at::equal(d.cos_LD, line.cos_LD));
  }
  // [24, 20, 20]: frequency 1 is H, 2 is W, 3 is T, 58 H, 59 W, 60..63 T.
  llm::TextConfig t = tiny_text();
  t.head_dim = 128;
  t.mrope_section = {24, 20, 20};
  t.rope_kind = llm::RopeKind::MropeInterleaved;
  const llm::RotaryTables axes = llm::mrope_axis_tables(pos, 128, t.rope_theta);
  const llm::RotaryTables mixed = llm::rope_tables(pos, t);
  for (const auto& [freq, axis] : std::vector<std::pair<int64_t, int64_t>>{{1, 1}, {2, 2}, {3, 0}, {58, 1}, {59, 2}, {60, 0}, {63, 0}})
    EXPECT_TRUE(at::equal(mixed.cos_LD.select(1, freq), axes.cos_LD.select(0, axis).select(1, freq))) << freq;
}

TEST(LlmVariants, RopeKindIsValidated) {
  llm::TextConfig t = tiny_text();
  t.rope_kind = llm::RopeKind::Line;  // needs {head_dim / 2, 0, 0}
  try {
    llm::validate_rope(t, "cfg");
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("mrope_section [2, 3, 3]"), std::string::npos) << e.what();
  }
  t.mrope_section = {8, 0, 0};
  EXPECT_NO_THROW(llm::validate_rope(t, "cfg"));
  t.rope_kind = llm::RopeKind::MropeInterleaved;
  t.mrope_section = {4, 4, 4};  // 2 * 12 != 16
  EXPECT_THROW(llm::Decoder(t, llm::random_weights(t, 0, at::kFloat), {at::kFloat}), std::invalid_argument);
  EXPECT_STREQ(llm::rope_kind_name(llm::RopeKind::MropeInterleaved), "mrope_interleaved");
}

}  // namespace
