// The CPU executor equals the dense reference on every method over a sweep of heads, KV heads,
// head_dim 64/128, lengths that are not multiples of the kernel's tiles, fp32 and bf16.
// Tolerances: tests/attention_test_util.h.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

#include "attention/executor.h"
#include "tests/attention_test_util.h"
#include "tests/methods_test_util.h"

namespace pevlm {
namespace {

using testing::expect_attention_close;

void expect_close(const at::Tensor& got, const at::Tensor& ref, at::ScalarType dtype, const std::string& ctx) {
  expect_attention_close(got, ref, dtype, ctx);
}

std::vector<nlohmann::json> all_methods() { return testing::executor_sweep_methods(); }

TEST(Executor, CpuMatchesReferenceEveryMethod) {
  at::manual_seed(0);
  struct Shape {
    int64_t hq, hkv, d, frames, tpf;
  };
  // Lengths: 7 + frames * tpf + 9 -> 216, 331 (not multiples of 32/64/128 tiles).
  const std::vector<Shape> shapes = {{4, 4, 64, 8, 25}, {8, 2, 128, 5, 63}, {6, 3, 64, 9, 35}};
  auto ref = attention::make_executor("reference");
  auto cpu = attention::make_executor("cpu");
  for (const Shape& s : shapes) {
    TokenLayout layout = make_synthetic_layout(SyntheticLayoutSpec{7, s.frames, s.tpf, 9, false, 1, s.tpf, 1});
    for (at::ScalarType dtype : {at::kFloat, at::kBFloat16}) {
      const int64_t L = layout.length;
      at::Tensor q = at::randn({L, s.hq, s.d}).to(dtype), k = at::randn({L, s.hkv, s.d}).to(dtype),
                 v = at::randn({L, s.hkv, s.d}).to(dtype);
      for (const auto& entry : all_methods()) {
        AttentionPlan plan = testing::plan_for(entry, layout);
        const std::string ctx = entry.dump() + " L=" + std::to_string(L) + " Hq=" + std::to_string(s.hq) + " Hkv=" +
                                std::to_string(s.hkv) + " D=" + std::to_string(s.d) + " " + c10::toString(dtype);
        at::Tensor want = ref->prefill(plan, {q, k, v});
        at::Tensor got = cpu->prefill(plan, {q, k, v});
        ASSERT_EQ(got.sizes(), q.sizes()) << ctx;
        ASSERT_EQ(got.scalar_type(), dtype) << ctx;
        expect_close(got, want, dtype, ctx);
      }
    }
  }
}

TEST(Executor, DecodeMatchesReference) {
  at::manual_seed(1);
  testing::expect_decode_matches_reference(*attention::make_executor("cpu"));
}

TEST(Executor, ApeMergeRuleHandComputed) {
  // One query, three keys: prefix key 0 (plain), context keys 1-2 (tempered group), itself key 3.
  // out = (Z_C^(S*T) O_C + Z_O O_O) / (Z_C^(S*T) + Z_O), Z_C = sum exp(s/T) (methods.md).
  AttentionPlan plan;
  plan.method = "hand";
  plan.length = 4;
  plan.positions = PositionIds(1, 4);
  plan.groups = {LogitGroup{}, LogitGroup{"ctx", 0.5, 0.8 * 0.5}};
  plan.queries = {QueryRange{0, 3, "sink", -1, {KeyRange{0, 3, true, 0}}},
                  QueryRange{3, 4, "question", -1, {KeyRange{0, 1, false, 0}, KeyRange{1, 3, false, 1}, KeyRange{3, 4, true, 0}}}};
  plan.decode_keys = {KeyRange{0, 1, false, 0}, KeyRange{1, 3, false, 1}, KeyRange{3, 4, false, 0}};
  plan.validate();
  at::Tensor q = at::zeros({4, 1, 2}), k = at::zeros({4, 1, 2}), v = at::zeros({4, 1, 2});
  q[3][0][0] = 1.0;
  const double s[4] = {0.3, -0.2, 0.7, 0.1};  // logits for the question query (scale 1)
  for (int j = 0; j < 4; ++j) {
    k[j][0][0] = s[j];
    v[j][0][0] = j + 1.0;
    v[j][0][1] = (j + 1.0) * (j + 1.0);
  }
  const double T = 0.5, S = 0.8;
  const double zc = std::exp(s[1] / T) + std::exp(s[2] / T), zo = std::exp(s[0]) + std::exp(s[3]);
  const double oc0 = (std::exp(s[1] / T) * 2 + std::exp(s[2] / T) * 3) / zc, oo0 = (std::exp(s[0]) * 1 + std::exp(s[3]) * 4) / zo;
  const double wc = std::pow(zc, S * T);
  const double want0 = (wc * oc0 + zo * oo0) / (wc + zo);
  for (const char* name : {"reference", "cpu", "cpu_pieces"}) {
    auto ex = attention::make_executor(name);
    at::Tensor out = ex->prefill(plan, {q, k, v, 1.0});
    EXPECT_NEAR(out[3][0][0].item<double>(), want0, 1e-6) << name;
    at::Tensor dq = q.narrow(0, 3, 1).clone(), dk = at::cat({k, k.narrow(0, 3, 1)}), dv = at::cat({v, v.narrow(0, 3, 1)});
    // The decode step sees the prefill's groups and itself (group 0): one more plain key.
    const double zo2 = zo + std::exp(s[3]);
    const double want_dec = (wc * oc0 + zo2 * ((std::exp(s[0]) + std::exp(s[3]) * 8) / zo2)) / (wc + zo2);
    EXPECT_NEAR(ex->decode(plan, {dq, dk, dv, 1.0})[0][0][0].item<double>(), want_dec, 1e-6) << name;
  }
}

TEST(Executor, Equivalences) {
  at::manual_seed(2);
  TokenLayout layout = make_synthetic_layout(SyntheticLayoutSpec{9, 7, 30, 11, false, 1, 30, 1});
  const int64_t L = layout.length;
  at::Tensor q = at::randn({L, 4, 64}), k = at::randn({L, 2, 64}), v = at::randn({L, 2, 64});
  auto cpu = attention::make_executor("cpu");
  at::Tensor full = cpu->prefill(make_full_plan(layout), {q, k, v});
  auto same = [&](const nlohmann::json& e) { expect_close(cpu->prefill(testing::plan_for(e, layout), {q, k, v}), full, at::kFloat, e.dump()); };
  same({{"name", "pevlm"}, {"sink_frames", 0}, {"block_frames", 7}});
  same({{"name", "ape"}, {"prefix_tokens", 9}, {"block_tokens", 1000}, {"temperature", 1.0}, {"scale", 1.0}, {"positions", "retain"}});
  same({{"name", "star"}, {"block_tokens", L}, {"anchor_tokens", L}});
}

TEST(Executor, RejectsBadInputs) {
  auto cpu = attention::make_executor("cpu");
  AttentionPlan plan = make_full_plan(make_synthetic_layout(SyntheticLayoutSpec{2, 1, 4, 2, false, 1, 4, 1}));
  EXPECT_THROW(cpu->prefill(plan, {at::randn({8, 3, 8}), at::randn({8, 2, 8}), at::randn({8, 2, 8})}), std::invalid_argument);
  EXPECT_THROW(cpu->prefill(plan, {at::randn({7, 2, 8}), at::randn({7, 2, 8}), at::randn({7, 2, 8})}), std::invalid_argument);
  EXPECT_THROW(cpu->prefill(plan, {at::randn({8, 2, 8}).to(at::kDouble), at::randn({8, 2, 8}), at::randn({8, 2, 8})}),
               std::invalid_argument);
  EXPECT_THROW(attention::make_executor("gpu"), std::invalid_argument);
}

}  // namespace
}  // namespace pevlm
