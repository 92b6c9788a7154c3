// End to end (issue 25): the tiny Qwen2.5-VL language model prefilled under xattention and
// vertical_slash. In every layer the estimator runs on the layer's post-RoPE Q/K inside
// llm::Decoder::prefill; the per-head masks it picks must equal those the reference code picks from
// transformers' Q/K (scripts/golden/make_sparse_prefill_golden.py, fixture tests/data/golden/
// sparse_prefill, on the tiny model tests/data/golden/qwen2_5_vl_tiny), and the logits must match transformers run with those per-layer 4-D masks
// (max-abs <= 1e-4, fp32). Executors: the dense per-head reference and the cpu executor.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "attention/executor.h"
#include "methods/method_registry.h"
#include "models/qwen2_5_vl/llm_load.h"
#include "models/safetensors/torch_tensor.h"

namespace q = pevlm::qwen2_5_vl;
namespace st = pevlm::safetensors;

namespace pevlm {
namespace {

const std::filesystem::path kGolden = std::filesystem::path(PEVLM_SOURCE_DIR) / "tests/data/golden";

// Forwards to an executor and keeps every SparsePlan it is handed (one per layer).
class PlanRecorder final : public attention::Executor {
 public:
  explicit PlanRecorder(attention::Executor& inner) : inner_(inner) {}
  std::string name() const override { return inner_.name(); }
  std::string kernel() const override { return inner_.kernel(); }
  std::string sparse_kernel() const override { return inner_.sparse_kernel(); }
  at::Tensor prefill(const AttentionPlan& p, const attention::AttentionInputs& in) override { return inner_.prefill(p, in); }
  at::Tensor decode(const AttentionPlan& p, const attention::AttentionInputs& in) override { return inner_.decode(p, in); }
  at::Tensor prefill_sparse(const SparsePlan& p, const attention::AttentionInputs& in) override {
    plans.push_back(p);
    return inner_.prefill_sparse(p, in);
  }
  std::vector<SparsePlan> plans;

 private:
  attention::Executor& inner_;
};

TokenLayout text_layout(int64_t L) {
  TokenLayout t;
  t.length = L;
  t.spans = {Span{SpanKind::Text, 0, L, -1}};
  t.positions = PositionIds(3, L);
  for (int a = 0; a < 3; ++a)
    for (int64_t i = 0; i < L; ++i) t.positions.at(a, i) = i;
  return t;
}

TEST(QwenSparsePrefill, MasksAndLogitsEqualTransformersWithReferenceEstimators) {
  const auto file = kGolden / "sparse_prefill/prefill.safetensors";
  // The fixture is part of the repository: a missing one is a failure, not a skip.
  ASSERT_TRUE(std::filesystem::exists(file)) << "fixture missing: " << file;
  ASSERT_TRUE(std::filesystem::exists(kGolden / "qwen2_5_vl_tiny/config.json")) << "fixture missing: " << kGolden;
  std::ifstream in(kGolden / "sparse_prefill/cases.json");
  const nlohmann::json cases = nlohmann::json::parse(in);
  st::Checkpoint g = st::Checkpoint::open(file.string());
  const at::Tensor embeds = st::to_tensor_copy(g.get("inputs_embeds"));
  const int64_t L = embeds.size(0);
  llm::Decoder llm = q::load_llm((kGolden / "qwen2_5_vl_tiny").string(), {at::kFloat});
  for (const std::string method : {"xattention", "vertical_slash"}) {
    nlohmann::json entry = cases[method];
    entry["name"] = method;
    const AttentionPlan plan = build_plan(resolve_method(entry), text_layout(L));
    const at::Tensor want_mask = st::to_tensor_copy(g.get(method + ".mask")).to(at::kByte).contiguous();  // [layers, H, L, L]
    const at::Tensor want_logits = st::to_tensor_copy(g.get(method + ".logits"));
    for (const char* exec_name : {"reference", "cpu"}) {
      auto exec = attention::make_executor(exec_name);
      PlanRecorder rec(*exec);
      llm::Session s = llm.prefill(embeds, plan, rec, {llm::LogitRows::All});
      ASSERT_EQ(int64_t(rec.plans.size()), want_mask.size(0)) << method;
      for (int64_t layer = 0; layer < want_mask.size(0); ++layer)
        for (int64_t h = 0; h < want_mask.size(1); ++h) {
          const std::vector<uint8_t> got = rec.plans[size_t(layer)].dense_mask(h);
          const at::Tensor w = want_mask[layer][h].contiguous();
          const std::vector<uint8_t> want(w.data_ptr<uint8_t>(), w.data_ptr<uint8_t>() + w.numel());
          ASSERT_EQ(got, want) << method << " layer " << layer << " head " << h;
        }
      const double err = (s.logits_LV - want_logits).abs().max().item<double>();
      EXPECT_LE(err, 1e-4) << method << " on " << exec_name;
      ASSERT_EQ(s.timings.sparse.layers.size(), size_t(want_mask.size(0)));
      EXPECT_GT(s.timings.sparse.estimator_flops(), 0);
      std::printf("[sparse prefill] %s on %s: logits max-abs %.3g, density %s, kernel %s\n", method.c_str(), exec_name, err,
                  s.timings.sparse.to_json()["density"].dump().c_str(), s.timings.sparse.kernel.c_str());
    }
  }
}

}  // namespace
}  // namespace pevlm
