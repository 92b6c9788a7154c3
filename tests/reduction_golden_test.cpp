// FastV against its reference run in transformers (scripts/golden/make_fastv_golden.py: FastV's KV-cache
// forward, fastv_kvcache.py, over transformers 5.x Qwen2.5-VL decoder layers, eager fp32) on the tiny golden
// Qwen2.5-VL fixture: the layer K-1 scores (mean over heads of the last token's attention), the kept indices
// (exactly) and the last-row logits after layers >= K ran on the kept tokens with their original M-RoPE ids.
// Tolerances as the fixture's own golden tests (qwen_golden_test.cpp): fp32 with other summation orders,
// logits max-abs 1e-4; attention probabilities (< 1) 1e-6.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <cmath>
#include <filesystem>
#include <memory>

#include "attention/executor.h"
#include "methods/method_registry.h"
#include "models/llm/decoder.h"
#include "models/qwen2_5_vl/llm_load.h"
#include "models/safetensors/safetensors.h"
#include "models/safetensors/torch_tensor.h"
#include "qwen_golden_util.h"
#include "reduction/fastv_stage.h"

namespace pevlm::reduction {
namespace {

namespace q = qwen2_5_vl;
namespace st = safetensors;

const std::string kFixture = PEVLM_SHARED_DIR "/golden/qwen2_5_vl_tiny";
const std::string kGolden = PEVLM_SOURCE_DIR "/tests/data/reduction/fastv_golden.safetensors";

at::Tensor read(const std::string& file, const std::string& name) {
  return st::to_tensor_copy(st::Checkpoint::open(file).get(name));
}

class FastvGolden : public ::testing::TestWithParam<std::pair<int64_t, double>> {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kFixture + "/model.safetensors")) GTEST_SKIP() << "golden fixture absent: " << kFixture;
  }
};

TEST_P(FastvGolden, KeptScoresAndLogitsEqualTheReference) {
  const auto [k, r] = GetParam();
  const std::string tag = "k" + std::to_string(k) + "_r" + std::to_string(int(std::lround(r * 100)));
  const llm::Decoder llm = q::load_llm(kFixture, {at::kFloat});
  const at::Tensor x = read(kFixture + "/golden.safetensors", "inputs_embeds");
  const TokenLayout layout = testing::golden_layout(testing::to_positions(read(kFixture + "/golden.safetensors", "position_ids")));
  const MethodConfig full = resolve_method({{"name", "full"}});
  auto record = std::make_shared<FastvRecord>();
  llm::PrefillOptions po;
  po.reduce = fastv_stage(layout, full, k, r, 1.0 / std::sqrt(double(llm.text().head_dim)), record);
  auto exec = attention::make_executor("reference");
  const llm::Session s = llm.prefill(x, build_plan(full, layout), *exec, po);

  EXPECT_EQ(record->kept, testing::to_ids(read(kGolden, tag + "_kept")));
  const at::Tensor scores = at::tensor(record->scores, at::kFloat);
  EXPECT_LE((scores - read(kGolden, tag + "_scores")).abs().max().item<double>(), 1e-6);
  EXPECT_LE((s.logits_LV[0] - read(kGolden, tag + "_logits")).abs().max().item<double>(), 1e-4);
  // The reduction mattered: the logits differ from full attention's.
  EXPECT_GT((read(kGolden, tag + "_logits") - read(kGolden, "full_logits")).abs().max().item<double>(), 1e-2);
}

INSTANTIATE_TEST_SUITE_P(Cases, FastvGolden, ::testing::Values(std::pair<int64_t, double>{1, 0.5},
                                                               std::pair<int64_t, double>{1, 0.75}));

}  // namespace
}  // namespace pevlm::reduction
