// Whole-LLM prefill timing for `pevlm speed` (library pevlm_speed_llm, built only with models/):
// resolves `model:` (preset name, config.json or model folder) to the decoder's dimensions and times
// llm::Decoder::prefill over K decoder layers with random weights, the method's plan and its positions.
// The header is free of models/ types so pevlm_speed can include it behind PEVLM_SPEED_WITH_LLM.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <c10/core/Device.h>
#include <nlohmann/json.hpp>

#include "attention/executor.h"
#include "methods/attention_plan.h"
#include "methods/method_registry.h"
#include "reduction/reduction_registry.h"

namespace pevlm {

// The decoder dimensions `pevlm speed` needs from a model configuration.
struct SpeedModelShape {
  std::string source;  // config file or "preset:<name>"
  int64_t heads = 0, kv_heads = 0, head_dim = 0;
  int64_t hidden = 0, intermediate = 0, layers = 0;
};

// `spec`: a preset name (config_preset, e.g. "qwen2.5-vl-7b"), a config.json path or a model folder.
// Throws std::invalid_argument naming `where` (e.g. "speed-llm-cpu.yaml.model") when it is none of them.
SpeedModelShape resolve_speed_model(const std::string& spec, const std::string& where);

// Medians over the repeats of the K-layer prefill, split as llm::Timings (llm.h).
struct LlmPrefillTiming {
  double attn_ms = 0;                    // inside Executor::prefill, K layers
  double other_ms = 0;                   // projections, RoPE, norms, MLP of K layers (no lm_head)
  std::vector<double> attn_all, other_all;  // every repeat
  // With a reduction (time_reduced): its own time, the part of attn/other after an in-LLM reduction (FastV's
  // second phase, over the layers after k-1), and the layout the reduced layers ran on.
  double reduction_ms = 0, attn_after_ms = 0, other_after_ms = 0;
  std::vector<double> reduction_all;
  int64_t reduced_from_layer = -1;  // FastV: k; -1 for none / pre-LLM
  TokenLayout reduced_layout;
};

// Random-weight llm::Decoder with `layers` decoder layers (K) of the model's real sizes, built once.
class LlmPrefillTimer {
 public:
  // dtype "fp32" | "bf16". Weights, activations and the KV cache on `device` (indexed; weights and
  // inputs drawn there, attention/random_fill.h); the model is told the same device.
  LlmPrefillTimer(const std::string& model_spec, int64_t layers, const std::string& dtype, const c10::Device& device,
                  const std::string& where);
  ~LlmPrefillTimer();
  LlmPrefillTimer(const LlmPrefillTimer&) = delete;
  LlmPrefillTimer& operator=(const LlmPrefillTimer&) = delete;

  const SpeedModelShape& shape() const;
  int64_t layers_timed() const;
  // Where the model computes (its llm::DecoderOptions::device, indexed).
  const c10::Device& device() const;

  // Prefill of random embeddings [plan.length, hidden] under `plan` with llm::LogitRows::None,
  // `warmup` discarded runs then the medians of `repeats`.
  LlmPrefillTiming time(const AttentionPlan& plan, attention::Executor& executor, int warmup, int repeats) const;
  // The same under a reduction (reduction/): a pre-LLM one applies its TokenMerge to the random embeddings
  // (timed) and prefills the reduced layout under `method`; FastV runs inside the prefill (k < layers timed).
  LlmPrefillTiming time_reduced(const TokenLayout& layout, const MethodConfig& method,
                                const reduction::ReductionConfig& reduction, attention::Executor& executor, int warmup,
                                int repeats) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pevlm
