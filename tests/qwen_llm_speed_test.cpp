// Prefill speed of the Qwen2.5-VL LLM on this machine (opt-in: set PEVLM_QWEN_LLM_SPEED=1; it
// takes minutes). Prints tokens/s and the attention / other split for the tiny model and for ONE
// Qwen2.5-VL-7B-shaped decoder layer with random weights, in fp32 and bf16, full causal attention
// through the "cpu" executor. PEVLM_QWEN_LLM_SPEED_TOKENS sets the 7B-layer length in fp32 (8192),
// PEVLM_QWEN_LLM_SPEED_BF16_TOKENS in bf16 (256).
// Asserts only that the timings are consistent (attention + other = prefill, all positive).
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <unistd.h>

#include "attention/executor.h"
#include "methods/attention_plan.h"
#include "models/llm/decoder.h"
#include "models/qwen2_5_vl/tiny_model.h"
#include "models/qwen2_5_vl/llm_load.h"

namespace q = pevlm::qwen2_5_vl;
namespace llm = pevlm::llm;

namespace {

bool enabled() {
  const char* v = std::getenv("PEVLM_QWEN_LLM_SPEED");
  return v != nullptr && std::string(v) == "1";
}

int64_t env_int(const char* name, int64_t fallback) {
  const char* v = std::getenv(name);
  return v ? std::stoll(v) : fallback;
}

pevlm::AttentionPlan full_plan(int64_t L) {
  pevlm::SyntheticLayoutSpec spec;  // 20 text + frames of 256 tokens + 60 question, M-RoPE ids
  spec.frames = std::max<int64_t>(0, (L - 80) / 256);
  spec.question = L - 20 - spec.frames * 256;
  return pevlm::make_full_plan(pevlm::make_synthetic_layout(spec));
}

// Runs one prefill after a warm-up and prints its split.
llm::Timings time_prefill(const llm::Decoder& llm, int64_t L, const std::string& label) {
  auto ex = pevlm::attention::make_executor("cpu");
  pevlm::AttentionPlan plan = full_plan(L);
  at::Tensor x = at::randn({L, llm.text().hidden_size}).to(llm.dtype());
  const int64_t warm = std::min<int64_t>(L, 64);
  llm.prefill(x.narrow(0, 0, warm), full_plan(warm), *ex, {llm::LogitRows::None});
  llm::Timings t = llm.prefill(x, plan, *ex, {llm::LogitRows::None}).timings;
  std::cout << "[speed] " << label << " L=" << L << " dtype=" << c10::toString(llm.dtype())
            << ": prefill " << t.prefill_ms() << " ms (" << 1000.0 * L / t.prefill_ms() << " tokens/s), attention "
            << t.prefill_attention_ms << " ms (" << 100.0 * t.prefill_attention_ms / t.prefill_ms()
            << "%), other " << t.prefill_other_ms << " ms, executor kernel " << ex->kernel() << std::endl;
  return t;
}

double gemm_gflops(at::ScalarType dtype, int64_t n) {
  at::Tensor a = at::randn({n, n}).to(dtype), b = at::randn({n, n}).to(dtype);
  at::mm(a, b);
  const auto start = std::chrono::steady_clock::now();
  at::mm(a, b);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return 2.0 * double(n) * double(n) * double(n) / s / 1e9;
}

TEST(QwenLlmSpeed, TinyModelAndSevenBLayer) {
  if (!enabled()) GTEST_SKIP() << "speed measurement is opt-in: PEVLM_QWEN_LLM_SPEED=1";
  // bf16 GEMM has no fast path on AVX2-only CPUs (no avx512_bf16 / AMX): measured on a smaller size.
  std::cout << "[speed] threads " << at::get_num_threads() << ", 2048^3 mm fp32 " << gemm_gflops(at::kFloat, 2048)
            << " GFLOP/s, 1024^3 mm bf16 " << gemm_gflops(at::kBFloat16, 1024) << " GFLOP/s" << std::endl;
  const std::string dir = (std::filesystem::temp_directory_path() / ("pevlm_speed_" + std::to_string(::getpid()))).string();
  q::make_tiny_model(dir, {});
  for (at::ScalarType dt : {at::kFloat, at::kBFloat16}) {
    llm::Timings t = time_prefill(q::load_llm(dir, {dt}), 4096, "tiny model (2 layers)");
    EXPECT_GT(t.prefill_attention_ms, 0.0);
    EXPECT_GT(t.prefill_other_ms, 0.0);
  }
  std::filesystem::remove_all(dir);

  q::Qwen25VLConfig c = q::config_preset("qwen2.5-vl-7b");
  c.text.num_layers = 1;
  c.text.vocab_size = 1024;  // the prefill takes embeddings; the vocabulary does not matter here
  for (at::ScalarType dt : {at::kFloat, at::kBFloat16}) {
    // bf16 runs a shorter prompt: its GEMMs are ~100x slower than fp32 on AVX2-only CPUs.
    const int64_t L = dt == at::kFloat ? env_int("PEVLM_QWEN_LLM_SPEED_TOKENS", 8192)
                                       : env_int("PEVLM_QWEN_LLM_SPEED_BF16_TOKENS", 256);
    llm::Decoder layer(c.text, llm::random_weights(c.text, 0, dt), {dt});
    llm::Timings t = time_prefill(layer, L, "Qwen2.5-VL-7B decoder layer x1");
    EXPECT_GT(t.prefill_attention_ms, 0.0);
  }
}

}  // namespace
