// FastV inside the LLM (issue 26): the real subset (dropped tokens leave layers >= K, their KV included)
// gives the logits of the exact emulation, full-length prefill where layers >= K mask the dropped keys
// (FastV's own "attention mask implementation", modeling_llama.py ~L763), under full attention and under
// PEVLM built on the reduced layout; decoding continues identically (earlier layers keep every token's KV, as
// fastv_kvcache.py). The score is the mean over heads of the last token's attention at layer K-1.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <cmath>
#include <memory>

#include "attention/executor.h"
#include "methods/method_registry.h"
#include "models/llm/decoder.h"
#include "models/qwen2_5_vl/tiny_model.h"
#include "qwen_tiny_test_config.h"
#include "reduction/fastv_stage.h"
#include "reduction/reduced_layout.h"

namespace pevlm::reduction {
namespace {

namespace q = qwen2_5_vl;

// The reduced plan `reduced` (over kept rows) as a plan over all L tokens: kept token i sees the kept keys
// its reduced row sees (runs of consecutive kept tokens, its own key causal), a dropped token sees only
// itself (its output never reaches a kept token). Decode keys likewise.
AttentionPlan expand_to_full(const AttentionPlan& reduced, const std::vector<int64_t>& kept, const PositionIds& positions) {
  const int64_t L = positions.length;
  std::vector<int64_t> row_of(size_t(L), -1);
  for (size_t r = 0; r < kept.size(); ++r) row_of[size_t(kept[r])] = int64_t(r);
  auto runs = [&](int64_t rb, int64_t re, int group, std::vector<KeyRange>& out) {  // reduced rows [rb, re)
    for (int64_t r = rb; r < re;) {
      int64_t e = r + 1;
      while (e < re && kept[size_t(e)] == kept[size_t(e - 1)] + 1) ++e;
      out.push_back(KeyRange{kept[size_t(r)], kept[size_t(e - 1)] + 1, false, group});
      r = e;
    }
  };
  AttentionPlan p;
  p.method = reduced.method + "_masked";
  p.length = L;
  p.groups = reduced.groups;
  p.positions = positions;
  for (int64_t i = 0; i < L; ++i) {
    QueryRange qr{i, i + 1, "token", -1, {}};
    const int64_t r = row_of[size_t(i)];
    if (r >= 0) {
      for (const QueryRange& rq : reduced.queries) {
        if (r < rq.begin || r >= rq.end) continue;
        for (const KeyRange& k : rq.keys) {
          if (k.causal) {
            runs(k.begin, r, k.group, qr.keys);
            qr.keys.push_back(KeyRange{i, i + 1, true, k.group});
          } else {
            runs(k.begin, k.end, k.group, qr.keys);
          }
        }
      }
    } else {
      qr.keys.push_back(KeyRange{i, i + 1, true, 0});
    }
    p.queries.push_back(qr);
  }
  for (const KeyRange& k : reduced.decode_keys) runs(k.begin, k.end, k.group, p.decode_keys);
  p.validate();
  return p;
}

// Runs `before` for the first `switch_layer` layers of every prefill / decode pass, `after` for the rest.
class LayerSwitchExecutor : public attention::Executor {
 public:
  LayerSwitchExecutor(AttentionPlan before, AttentionPlan after, int64_t switch_layer, int64_t layers)
      : before_(std::move(before)), after_(std::move(after)), switch_(switch_layer), layers_(layers) {}
  std::string name() const override { return "layer_switch"; }
  std::string kernel() const override { return base_->kernel(); }
  at::Tensor prefill(const AttentionPlan&, const attention::AttentionInputs& in) override {
    return base_->prefill(pick(prefill_calls_++), in);
  }
  at::Tensor decode(const AttentionPlan&, const attention::AttentionInputs& in) override {
    return base_->decode(pick(decode_calls_++), in);
  }

 private:
  const AttentionPlan& pick(int64_t call) const { return call % layers_ < switch_ ? before_ : after_; }
  AttentionPlan before_, after_;
  int64_t switch_, layers_, prefill_calls_ = 0, decode_calls_ = 0;
  std::unique_ptr<attention::Executor> base_ = attention::make_executor("reference");
};

struct Bench {
  q::Qwen25VLConfig config = [] {
    q::Qwen25VLConfig c = testing::small_tiny_config();
    c.text.num_layers = 4;  // K = 2 needs layers on both sides
    return c;
  }();
  llm::Decoder llm{config.text, llm::random_weights(config.text, 11, at::kFloat, 0.08), [] {
                   llm::DecoderOptions o;
                   o.dtype = at::kFloat;
                   return o;
                 }()};
  TokenLayout layout = make_synthetic_layout(SyntheticLayoutSpec{6, 6, 4, 5, true, 2, 2, 2});  // L = 35, 24 visual
  at::Tensor x_LD;
  Bench() {
    std::vector<int64_t> ids;
    for (int64_t i = 0; i < layout.length; ++i) ids.push_back(6 + (i * 37 + 11) % 400);
    x_LD = llm.embed(ids);
  }
  double scale() const { return 1.0 / std::sqrt(double(config.text.head_dim)); }
};

void expect_subset_equals_mask(const std::string& method_name, const nlohmann::json& method_entry, int64_t k, double r) {
  SCOPED_TRACE(method_name);
  Bench b;
  ASSERT_GT(b.config.text.num_layers, k);
  const MethodConfig method = resolve_method(method_entry);
  const AttentionPlan plan = build_plan(method, b.layout);
  auto record = std::make_shared<FastvRecord>();
  llm::PrefillOptions po;
  po.logits = llm::LogitRows::Last;
  po.reduce = fastv_stage(b.layout, method, k, r, b.scale(), record);
  auto exec = attention::make_executor("reference");
  llm::Session subset = b.llm.prefill(b.x_LD, plan, *exec, po);
  const int64_t keep = int64_t(b.layout.length) - 24 + static_cast<int64_t>(24 * (1.0 - r));
  ASSERT_EQ(int64_t(record->kept.size()), keep);
  EXPECT_EQ(record->visual_after, static_cast<int64_t>(24 * (1.0 - r)));
  EXPECT_EQ(subset.cache.reduced_from_layer, k);
  EXPECT_EQ(subset.cache.rows(k), keep);
  EXPECT_EQ(subset.cache.rows(k - 1), b.layout.length);
  EXPECT_EQ(subset.timings.prefill_tokens_reduced, keep);

  // The emulation: every token everywhere, layers >= K masking the dropped keys.
  const AttentionPlan reduced = build_plan(method, subset_layout(b.layout, record->kept));
  LayerSwitchExecutor emul_exec(plan, expand_to_full(reduced, record->kept, b.layout.positions), k, b.config.text.num_layers);
  llm::Session masked = b.llm.prefill(b.x_LD, plan, emul_exec, {llm::LogitRows::Last});
  // fp32 with different summation orders (subset vs masked softmax): a few ulps of logits of size ~1.
  const double tol = 1e-4;
  EXPECT_LE((subset.logits_LV - masked.logits_LV).abs().max().item<double>(), tol);
  // The same kept tokens' states give the same next tokens through decode (layers < K see every token).
  llm::GenerationOptions gen;
  gen.max_new_tokens = 4;
  gen.keep_logits = true;
  const llm::GenerationResult a = b.llm.generate(subset, gen), m = b.llm.generate(masked, gen);
  EXPECT_EQ(a.tokens, m.tokens);
  EXPECT_LE((a.logits_NV - m.logits_NV).abs().max().item<double>(), tol);

  // And it differs from no reduction at all (the test would be void otherwise).
  llm::Session none = b.llm.prefill(b.x_LD, plan, *exec, {llm::LogitRows::Last});
  EXPECT_GT((none.logits_LV - subset.logits_LV).abs().max().item<double>(), 1e-3);
}

TEST(FastvInLlm, RealSubsetEqualsMaskedKeysFullAttention) {
  expect_subset_equals_mask("full", {{"name", "full"}}, 2, 0.5);
}

TEST(FastvInLlm, RealSubsetEqualsMaskedKeysPevlmOnTheReducedLayout) {
  expect_subset_equals_mask("pevlm", {{"name", "pevlm"}, {"sink_frames", 1}, {"block_frames", 2}}, 1, 0.75);
}

TEST(FastvInLlm, ScoreIsTheMeanOverHeadsOfTheLastTokensAttention) {
  Bench b;
  const AttentionPlan plan = build_plan(resolve_method({{"name", "full"}}), b.layout);
  const int64_t L = b.layout.length, Hq = 4, Hkv = 2, D = 8;
  at::manual_seed(3);
  const at::Tensor qt = at::randn({L, Hq, D}), kt = at::randn({L, Hkv, D});
  const at::Tensor got = last_token_attention(plan, qt, kt, 0.3);
  // Independent: per query head h, KV head h / 2, softmax over all L keys, then the mean of the heads.
  at::Tensor want = at::zeros({L}, at::kDouble);
  for (int64_t h = 0; h < Hq; ++h) {
    const at::Tensor logits = at::mv(kt.select(1, h / 2).to(at::kDouble), qt[L - 1][h].to(at::kDouble)) * 0.3;
    want += at::softmax(logits, 0) / double(Hq);
  }
  EXPECT_LE((got.to(at::kDouble) - want).abs().max().item<double>(), 1e-6);
  EXPECT_NEAR(got.sum().item<double>(), 1.0, 1e-5);
}

TEST(FastvInLlm, BadStagesAreErrors) {
  Bench b;
  const MethodConfig full = resolve_method({{"name", "full"}});
  EXPECT_THROW(fastv_stage(b.layout, full, 0, 0.5, 1.0), std::invalid_argument);
  EXPECT_THROW(fastv_stage(b.layout, full, 2, 1.0, 1.0), std::invalid_argument);
  // A hook that drops the last row is refused by the prefill.
  llm::PrefillOptions po;
  po.reduce.after_layer = 0;
  po.reduce.select = [&](const AttentionPlan&, const at::Tensor&, const at::Tensor&) {
    llm::PrefillOptions::TokenDrop d;
    d.kept = {0, 1};
    d.plan = build_plan(full, subset_layout(b.layout, {0, 1, b.layout.length - 1}));
    return d;
  };
  auto exec = attention::make_executor("reference");
  EXPECT_THROW(b.llm.prefill(b.x_LD, build_plan(full, b.layout), *exec, po), std::logic_error);
}

}  // namespace
}  // namespace pevlm::reduction
