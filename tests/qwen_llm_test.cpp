// Qwen2.5-VL language model: weight names and layouts, shape errors, tied embeddings, vision
// splicing errors, decode positions, bf16 compute. Uses the golden tiny checkpoint
// (../shared/golden/qwen2_5_vl_tiny, transformers 4.50, Hub names) rewritten into temporary folders.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <unistd.h>

#include "attention/executor.h"
#include "methods/attention_plan.h"
#include "models/llm/decoder.h"
#include "models/llm/weights.h"
#include "models/safetensors/torch_tensor.h"
#include "models/qwen2_5_vl/config.h"
#include "models/qwen2_5_vl/llm_load.h"

namespace fs = std::filesystem;
namespace q = pevlm::qwen2_5_vl;
namespace llm = pevlm::llm;
namespace st = pevlm::safetensors;

namespace {

const std::string kGoldenDir = PEVLM_SHARED_DIR "/golden/qwen2_5_vl_tiny";

// A rewritten copy of the golden checkpoint: rename(name) -> new name ("" drops the tensor),
// reshape(name, tensor) -> tensor to store, edit(config json).
struct Rewrite {
  std::function<std::string(const std::string&)> rename = [](const std::string& n) { return n; };
  std::function<at::Tensor(const std::string&, const at::Tensor&)> retensor =
      [](const std::string&, const at::Tensor& t) { return t; };
  std::function<void(nlohmann::json&)> edit_config = [](nlohmann::json&) {};
};

std::string rewrite_checkpoint(const std::string& tag, const Rewrite& r) {
  const fs::path dir = fs::temp_directory_path() / ("pevlm_qwen_llm_test_" + tag + "_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  st::Checkpoint source = st::Checkpoint::open(kGoldenDir);
  st::SafetensorsWriter writer;
  for (const std::string& name : source.names()) {
    const std::string renamed = r.rename(name);
    if (!renamed.empty()) st::add_tensor(writer, renamed, r.retensor(name, st::to_tensor_copy(source.get(name))));
  }
  writer.write((dir / "model.safetensors").string());
  std::ifstream in(kGoldenDir + "/config.json");
  nlohmann::json config = nlohmann::json::parse(in);
  r.edit_config(config);
  std::ofstream(dir / "config.json") << config.dump(2);
  return dir.string();
}

bool golden_present() { return fs::exists(kGoldenDir + "/model.safetensors"); }

pevlm::AttentionPlan simple_plan(int64_t L) {
  pevlm::TokenLayout layout;
  layout.spans = {{pevlm::SpanKind::Text, 0, L}};
  layout.length = L;
  layout.positions = pevlm::PositionIds(3, L);
  for (int a = 0; a < 3; ++a)
    for (int64_t i = 0; i < L; ++i) layout.positions.at(a, i) = i;
  return pevlm::make_full_plan(layout);
}

std::vector<int64_t> prompt() { return {3, 17, 42, 5, 150, 60, 61, 4, 3, 99, 5}; }

at::Tensor prompt_logits(const llm::Decoder& llm) {
  auto ex = pevlm::attention::make_executor("reference");
  std::vector<int64_t> ids = prompt();
  return llm.prefill(llm.embed(ids), simple_plan(int64_t(ids.size())), *ex, {llm::LogitRows::All}).logits_LV;
}

class QwenLlmWeights : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!golden_present()) GTEST_SKIP() << "golden tiny checkpoint absent: " << kGoldenDir;
  }
};

TEST(QwenLlmTable, SevenBShapes) {
  llm::TextConfig t = q::config_preset("qwen2.5-vl-7b").text;
  std::vector<llm::WeightSpec> table = llm::weight_table(t);
  EXPECT_EQ(table.size(), size_t(2 + 12 * 28 + 1));
  EXPECT_EQ(table[0].name, "embed_tokens.weight");
  EXPECT_EQ(table[0].shape, (std::vector<int64_t>{152064, 3584}));
  EXPECT_EQ(table[4].name, "layers.0.self_attn.k_proj.weight");
  EXPECT_EQ(table[4].shape, (std::vector<int64_t>{512, 3584}));  // 4 KV heads x 128
  EXPECT_TRUE(table.back().top_level);
}

TEST_F(QwenLlmWeights, HubAndLanguageModelNamesGiveIdenticalLogits) {
  Rewrite r;
  r.rename = [](const std::string& n) {
    if (n.rfind("model.", 0) == 0) return "model.language_model." + n.substr(6);
    if (n.rfind("visual.", 0) == 0) return "model." + n;
    return n;
  };
  const std::string dir = rewrite_checkpoint("newnames", r);
  llm::Decoder hub = q::load_llm(kGoldenDir, {at::kFloat});
  llm::Decoder renamed = q::load_llm(dir, {at::kFloat});
  EXPECT_EQ(hub.weights().prefix, "model.");
  EXPECT_EQ(renamed.weights().prefix, "model.language_model.");
  EXPECT_TRUE(at::equal(prompt_logits(hub), prompt_logits(renamed)));
  fs::remove_all(dir);
}

TEST_F(QwenLlmWeights, WrongShapeNamesTheTensor) {
  Rewrite r;
  r.retensor = [](const std::string& n, const at::Tensor& t) {
    return n == "model.layers.1.self_attn.k_proj.weight" ? t.t().contiguous() : t;
  };
  const std::string dir = rewrite_checkpoint("badshape", r);
  try {
    q::load_llm(dir, {at::kFloat});
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("model.layers.1.self_attn.k_proj.weight"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[64, 32]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("expected [32, 64]"), std::string::npos) << msg;
  }
  fs::remove_all(dir);
}

TEST_F(QwenLlmWeights, MissingLmHeadIsAnErrorUnlessTied) {
  Rewrite r;
  r.rename = [](const std::string& n) { return n == "lm_head.weight" ? std::string() : n; };
  const std::string untied = rewrite_checkpoint("nohead", r);
  try {
    q::load_llm(untied, {at::kFloat});
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("lm_head.weight"), std::string::npos) << e.what();
  }
  r.edit_config = [](nlohmann::json& c) { c["tie_word_embeddings"] = true; };
  const std::string tied_dir = rewrite_checkpoint("tied", r);
  llm::Decoder tied = q::load_llm(tied_dir, {at::kFloat});
  EXPECT_TRUE(tied.weights().tied);
  EXPECT_TRUE(at::equal(tied.weights().lm_head_VD, tied.weights().embed_VD));
  // Tied logits = final hidden state x embeddings^T.
  auto ex = pevlm::attention::make_executor("reference");
  llm::Session s = tied.prefill(tied.embed(prompt()), simple_plan(11), *ex, {llm::LogitRows::All, true});
  at::Tensor want = at::matmul(s.hidden_states.back(), tied.weights().embed_VD.t());
  EXPECT_LT((s.logits_LV - want).abs().max().item<double>(), 1e-5);
  fs::remove_all(untied);
  fs::remove_all(tied_dir);
}

TEST_F(QwenLlmWeights, VisionSpliceCountMustMatch) {
  llm::Decoder llm = q::load_llm(kGoldenDir, {at::kFloat});
  const int64_t pad = q::load_config(kGoldenDir).tokens.video_pad;
  std::vector<int64_t> ids{3, 150, 153, 153, 153, 151, 5};
  EXPECT_THROW(llm.embed_with_vision(ids, at::zeros({2, 64}), pad), std::invalid_argument);
  EXPECT_THROW(llm.embed_with_vision(ids, at::zeros({3, 32}), pad), std::invalid_argument);
  at::Tensor v = at::randn({3, 64});
  at::Tensor x = llm.embed_with_vision(ids, v, pad);
  EXPECT_TRUE(at::equal(x.narrow(0, 2, 3), v));
  EXPECT_TRUE(at::equal(x[0], llm.weights().embed_VD[3]));
  EXPECT_THROW(llm.embed({3, 160}), std::invalid_argument);  // vocab is 160
}

TEST_F(QwenLlmWeights, PlanLengthMustMatchPrompt) {
  llm::Decoder llm = q::load_llm(kGoldenDir, {at::kFloat});
  auto ex = pevlm::attention::make_executor("reference");
  EXPECT_THROW(llm.prefill(llm.embed(prompt()), simple_plan(10), *ex), std::invalid_argument);
}

// Decode positions continue from max(prefill positions) + 1 on every axis: a prompt prefilled
// with positions shifted by +5 on all axes decodes like the unshifted one (RoPE is relative) but
// the session's next position differs.
TEST_F(QwenLlmWeights, DecodeContinuesFromMaxPosition) {
  llm::Decoder llm = q::load_llm(kGoldenDir, {at::kFloat});
  auto ex = pevlm::attention::make_executor("reference");
  pevlm::AttentionPlan plan = simple_plan(11);
  pevlm::AttentionPlan shifted = plan;
  for (int64_t& id : shifted.positions.ids) id += 5;
  llm::Session a = llm.prefill(llm.embed(prompt()), plan, *ex);
  llm::Session b = llm.prefill(llm.embed(prompt()), shifted, *ex);
  EXPECT_EQ(a.next_position, 11);
  EXPECT_EQ(b.next_position, 16);
  EXPECT_LT((llm.decode(a, {7, 8}) - llm.decode(b, {7, 8})).abs().max().item<double>(), 1e-4);
}

// The cache grows past the prefill's decode headroom (256 rows) without changing results:
// prefill 11 + decode 300 at once + decode 1 equals one forward over the 312 tokens.
TEST_F(QwenLlmWeights, KvCacheGrowthMatchesFullForward) {
  llm::Decoder llm = q::load_llm(kGoldenDir, {at::kFloat});
  auto ex = pevlm::attention::make_executor("reference");
  std::vector<int64_t> ids;
  for (int64_t i = 0; i < 312; ++i) ids.push_back((i * 37 + 11) % 150);
  std::vector<int64_t> head(ids.begin(), ids.begin() + 11), mid(ids.begin() + 11, ids.begin() + 311);
  llm::Session s = llm.prefill(llm.embed(head), simple_plan(11), *ex);
  at::Tensor a = llm.decode(s, mid);
  at::Tensor b = llm.decode(s, {ids.back()});
  EXPECT_EQ(s.cache.length, 312);
  at::Tensor full = llm.prefill(llm.embed(ids), simple_plan(312), *ex, {llm::LogitRows::All}).logits_LV;
  EXPECT_LT((a - full.narrow(0, 11, 300)).abs().max().item<double>(), 1e-4);
  EXPECT_LT((b[0] - full[311]).abs().max().item<double>(), 1e-4);
}

// bf16 compute (weights, activations, KV cache; RMSNorm in fp32) stays close to fp32.
TEST_F(QwenLlmWeights, Bf16ComputeIsCloseToFp32) {
  llm::Decoder f32 = q::load_llm(kGoldenDir, {at::kFloat});
  llm::Decoder bf16 = q::load_llm(kGoldenDir, {at::kBFloat16});
  EXPECT_EQ(bf16.weights().layers[0].q_w.scalar_type(), at::kBFloat16);
  at::Tensor a = prompt_logits(f32), b = prompt_logits(bf16);
  const double rel = ((a - b).pow(2).sum() / a.pow(2).sum()).item<double>();
  EXPECT_LT(rel, 1e-3) << "bf16 NMSE vs fp32";  // bf16 has 8 mantissa bits: NMSE ~1e-5..1e-4 expected
  EXPECT_GT(rel, 0.0);
}

}  // namespace
