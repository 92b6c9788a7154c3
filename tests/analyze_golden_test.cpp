// Attention mass per span against transformers (issue 13, item 7): the tiny Qwen2.5-VL under
// A1..A8 (full attention and the 4-D method masks of the methods fixture), eager attention with
// output_attentions=True summed over the prompt's spans by scripts/golden/qwen_golden_attention.py
// (tests/data/golden/qwen2_5_vl_tiny_attention/). Checked two ways:
//  - every prompt row, every layer and head: attention::span_masses on the q/k the prefill computes
//    (llm::PrefillOptions::observe_qk) against <C>.mass;
//  - the analysis path: MassRecorder around the executor (question rows averaged, the first
//    generated token through llm::Decoder::decode) against the golden rows averaged the same way.
// Tolerance: fp32 max-abs 1e-5 (the bar; masses lie in [0, 1], 48 keys); every query's
// masses sum to 1 within 1e-5, in the golden file and here.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <iostream>

#include "attention/span_mass.h"
#include "harness/analyze/mass_recorder.h"
#include "models/llm/decoder.h"
#include "models/safetensors/torch_tensor.h"
#include "tests/qwen_golden_dirs.h"
#include "tests/qwen_golden_util.h"
#include "models/qwen2_5_vl/llm_load.h"

namespace q = pevlm::qwen2_5_vl;
namespace llm = pevlm::llm;
namespace st = pevlm::safetensors;

namespace {

constexpr double kTol = 1e-5;

class AnalyzeGolden : public ::testing::Test {
 protected:
  void SetUp() override {
    const pevlm::test::GoldenRoot root{"repo", PEVLM_SOURCE_DIR "/tests/data/golden"};
    mass_file_ = root.path + "/qwen2_5_vl_tiny_attention/attention_mass.safetensors";
    const std::string missing = pevlm::test::golden_missing({root.golden_file(), root.methods_file(), mass_file_});
    if (!missing.empty()) GTEST_SKIP() << missing << " (scripts/golden/qwen_golden_attention.py writes it)";
    llm_ = std::make_unique<llm::Decoder>(q::load_llm(root.model_dir(), {at::kFloat}));
    st::Checkpoint g = st::Checkpoint::open(root.golden_file());
    embeds_ = st::to_tensor_copy(g.get("inputs_embeds"));
    layout_ = pevlm::testing::golden_layout(pevlm::testing::to_positions(st::to_tensor_copy(g.get("position_ids"))));
    methods_ = std::make_unique<st::Checkpoint>(st::Checkpoint::open(root.methods_file()));
    masses_ = std::make_unique<st::Checkpoint>(st::Checkpoint::open(mass_file_));
    executor_ = pevlm::attention::make_executor("reference");
  }
  at::Tensor golden(const std::string& name) const { return st::to_tensor_copy(masses_->get(name)).to(at::kDouble); }
  pevlm::AttentionPlan plan(const pevlm::testing::GoldenMethodConfig& c) const {
    pevlm::AttentionPlan p = pevlm::build_plan(pevlm::resolve_method(c.method), layout_);
    p.positions = pevlm::testing::to_positions(st::to_tensor_copy(methods_->get(c.name + ".position_ids")));
    return p;
  }

  std::string mass_file_;
  std::unique_ptr<llm::Decoder> llm_;
  at::Tensor embeds_;
  pevlm::TokenLayout layout_;
  std::unique_ptr<st::Checkpoint> methods_, masses_;
  std::unique_ptr<pevlm::attention::Executor> executor_;
};

TEST_F(AnalyzeGolden, GoldenMassesSumToOne) {
  for (const auto& c : pevlm::testing::golden_method_configs()) {
    EXPECT_LE((golden(c.name + ".mass").sum(-1) - 1).abs().max().item<double>(), kTol) << c.name;
    EXPECT_LE((golden(c.name + ".generated_mass").sum(-1) - 1).abs().max().item<double>(), kTol) << c.name;
  }
}

TEST_F(AnalyzeGolden, EveryPromptRowMatchesTransformers) {
  const std::vector<int64_t> bounds = pevlm::span_bounds(pevlm::analysis_spans(layout_));
  for (const auto& c : pevlm::testing::golden_method_configs()) {
    const pevlm::AttentionPlan p = plan(c);
    std::vector<at::Tensor> per_layer;
    llm::PrefillOptions po;
    po.observe_qk = [&](int64_t, const at::Tensor& q_LHD, const at::Tensor& k_LHD) {
      per_layer.push_back(pevlm::attention::span_masses(p.queries, p.groups, q_LHD, 0, k_LHD, bounds, 0.0));
    };
    llm_->prefill(embeds_, p, *executor_, po);
    const at::Tensor got = at::stack(per_layer).to(at::kDouble);  // [layers, heads, 48, 5]
    const double err = (got - golden(c.name + ".mass")).abs().max().item<double>();
    std::cout << "[golden] " << c.name << " span masses max-abs " << err << "\n";
    EXPECT_LE(err, kTol) << c.name;
    EXPECT_LE((got.sum(-1) - 1).abs().max().item<double>(), kTol) << c.name;
  }
}

TEST_F(AnalyzeGolden, RecorderQuestionAndGeneratedSetsMatchTransformers) {
  const int64_t qb = layout_.question_begin();
  for (const auto& c : pevlm::testing::golden_method_configs()) {
    const pevlm::AttentionPlan p = plan(c);
    pevlm::MassRecorder recorder(*executor_, layout_, llm_->text().num_layers, {true, true}, {});
    llm::Session s = llm_->prefill(embeds_, p, recorder);
    const int64_t token = s.logits_LV[0].argmax().item<int64_t>();
    ASSERT_EQ(token, st::to_tensor_copy(methods_->get(c.name + ".next_token")).item<int64_t>()) << c.name;
    llm_->decode(s, {token});
    const at::Tensor want_q = golden(c.name + ".mass").narrow(2, qb, 48 - qb).mean(2);  // [layers, heads, 5]
    const at::Tensor want_g = golden(c.name + ".generated_mass");                      // [layers, heads, 6]
    ASSERT_EQ(recorder.question().size(), 2u) << c.name;
    ASSERT_EQ(recorder.generated().size(), 2u) << c.name;
    for (size_t l = 0; l < 2; ++l) {
      EXPECT_LE((recorder.question()[l].mass_HS.to(at::kDouble) - want_q[l]).abs().max().item<double>(), kTol) << c.name << " layer " << l;
      EXPECT_LE((recorder.generated()[l].mass_HS.to(at::kDouble) - want_g[l]).abs().max().item<double>(), kTol) << c.name << " layer " << l;
      EXPECT_LE(recorder.question()[l].max_sum_error, kTol) << c.name;
      EXPECT_LE(recorder.generated()[l].max_sum_error, kTol) << c.name;
    }
  }
}

}  // namespace
