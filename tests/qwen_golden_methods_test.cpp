// Qwen2.5-VL language model under the parallel-encoding attention configurations A1-A8 against
// transformers (qwen2_5_vl_tiny_methods: a 4-D additive mask + explicit M-RoPE position ids per
// configuration, fp32 logits of all 48 rows), once per fixture root (tests/qwen_golden_dirs.h:
// tests/data/golden = transformers 5.x, ../shared/golden = 4.50).
//
// Two plan sources, both checked against the golden logits:
//  - MethodPlans: the methods library's registry builds the plan from the method parameters; its
//    dense mask must equal the golden mask and its positions the golden position ids;
//  - MaskPlans: a plan built directly from the golden mask rows (one query range per token, key
//    ranges = runs of attended keys), so the model/executor path is checked independently of the
//    methods library.
// Tolerance (fp32, different summation order than eager torch 1.13): max-abs 1e-4 over all rows
// (logit std ~1.6; the configurations differ from full attention by 0.07-7).
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "attention/executor.h"
#include "methods/method_registry.h"
#include "models/llm/decoder.h"
#include "models/safetensors/torch_tensor.h"
#include "tests/qwen_golden_dirs.h"
#include "tests/qwen_golden_util.h"
#include "models/qwen2_5_vl/llm_load.h"

namespace q = pevlm::qwen2_5_vl;
namespace llm = pevlm::llm;
namespace st = pevlm::safetensors;

namespace {

using Config = pevlm::testing::GoldenMethodConfig;
using pevlm::testing::golden_method_configs;
using pevlm::testing::golden_layout;
using pevlm::testing::to_ids;
using pevlm::testing::to_positions;

// One query range per row; the attended keys of row i as runs, the run ending at i split into the
// keys before i (non-causal) and the causal diagonal [i, i+1).
pevlm::AttentionPlan plan_from_mask(const at::Tensor& mask_LL, const pevlm::PositionIds& positions) {
  const int64_t L = mask_LL.size(0);
  at::Tensor m = mask_LL.contiguous().to(at::kByte);
  const uint8_t* p = m.data_ptr<uint8_t>();
  pevlm::AttentionPlan plan;
  plan.method = "golden_mask";
  plan.length = L;
  plan.positions = positions;
  for (int64_t i = 0; i < L; ++i) {
    pevlm::QueryRange qr{i, i + 1, "row", -1, {}};
    for (int64_t j = 0; j < i;) {
      if (!p[i * L + j]) { ++j; continue; }
      int64_t end = j;
      while (end < i && p[i * L + end]) ++end;
      qr.keys.push_back({j, end, false, 0});
      j = end;
    }
    EXPECT_EQ(p[i * L + i], 1) << "row " << i << " does not attend itself";
    qr.keys.push_back({i, i + 1, true, 0});
    plan.queries.push_back(qr);
  }
  plan.decode_keys = {{0, L, false, 0}};
  plan.validate();
  return plan;
}

class QwenGoldenMethods : public ::testing::TestWithParam<pevlm::test::GoldenRoot> {
 protected:
  void SetUp() override {
    const pevlm::test::GoldenRoot& root = GetParam();
    const std::string missing = pevlm::test::golden_missing({root.methods_file(), root.golden_file()});
    if (!missing.empty()) GTEST_SKIP() << missing;
    llm_ = std::make_unique<llm::Decoder>(q::load_llm(root.model_dir(), {at::kFloat}));
    st::Checkpoint g = st::Checkpoint::open(root.golden_file());
    embeds_ = st::to_tensor_copy(g.get("inputs_embeds"));
    retain_ = to_positions(st::to_tensor_copy(g.get("position_ids")));
    methods_ = std::make_unique<st::Checkpoint>(st::Checkpoint::open(root.methods_file()));
    executor_ = pevlm::attention::make_executor("reference");
  }
  at::Tensor tensor(const std::string& name) const { return st::to_tensor_copy(methods_->get(name)); }
  double logits_error(const pevlm::AttentionPlan& plan, const std::string& config) const {
    llm::Session s = llm_->prefill(embeds_, plan, *executor_, {llm::LogitRows::All});
    const double err = (s.logits_LV - tensor(config + ".logits")).abs().max().item<double>();
    std::cout << "[golden] " << config << " (" << plan.method << "): logits max-abs " << err << "\n";
    return err;
  }

  std::unique_ptr<llm::Decoder> llm_;
  at::Tensor embeds_;
  pevlm::PositionIds retain_;
  std::unique_ptr<st::Checkpoint> methods_;
  std::unique_ptr<pevlm::attention::Executor> executor_;
};

TEST_P(QwenGoldenMethods, MaskPlans) {
  for (const Config& c : golden_method_configs()) {
    pevlm::AttentionPlan plan = plan_from_mask(tensor(c.name + ".mask"), to_positions(tensor(c.name + ".position_ids")));
    EXPECT_LT(logits_error(plan, c.name), 1e-4) << c.name;
  }
}

TEST_P(QwenGoldenMethods, MethodPlans) {
  for (const Config& c : golden_method_configs()) {
    pevlm::AttentionPlan plan = pevlm::build_plan(pevlm::resolve_method(c.method), golden_layout(retain_));
    at::Tensor mask = tensor(c.name + ".mask").contiguous();
    std::vector<uint8_t> want(mask.data_ptr<uint8_t>(), mask.data_ptr<uint8_t>() + mask.numel());
    EXPECT_EQ(plan.dense_mask(), want) << c.name << " mask differs from the golden mask";
    EXPECT_EQ(plan.positions, to_positions(tensor(c.name + ".position_ids"))) << c.name << " positions";
    EXPECT_LT(logits_error(plan, c.name), 1e-4) << c.name;
    llm::Session s = llm_->prefill(embeds_, plan, *executor_);
    EXPECT_EQ(s.logits_LV[0].argmax().item<int64_t>(), tensor(c.name + ".next_token").item<int64_t>()) << c.name;
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, QwenGoldenMethods, ::testing::ValuesIn(pevlm::test::golden_roots()),
                         pevlm::test::golden_root_name);

}  // namespace
