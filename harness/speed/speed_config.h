// `pevlm speed` configuration: timing of method plans at a real layer shape over synthetic layouts
// (system text + N frames x T tokens + question): attention only, or with `model:` the whole LLM
// prefill (K random decoder layers scaled to the model's depth). See configs/speed-*.yaml.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "methods/method_registry.h"
#include "reduction/reduction_registry.h"

namespace pevlm {

struct SpeedConfig {
  std::string description;
  std::string executor = "cpu";  // attention::make_executor name
  // Where inputs, weights and the executor's tensors live: `device:` ("cpu", "cuda", "cuda:N"; pevlm
  // speed --device sets it) or, without it, the executor's device; always "cpu" or indexed "cuda:N"
  // ("cuda" = cuda:0, as --device). Kept as text: this file is torch-free (the fuzz build compiles it);
  // run_speed checks the executor against it (attention::check_executor_device).
  std::string device = "cpu";
  std::string dtype = "bf16";    // bf16 | fp32
  int64_t heads = 28, kv_heads = 4, head_dim = 128;  // Qwen2.5-VL-7B layer
  int64_t system_tokens = 20, tokens_per_frame = 256, question_tokens = 60;
  std::vector<int64_t> frames;  // one layout per entry (from layout.frames or layout.tokens)
  int repeats = 3, warmup = 1, threads = 0;  // threads 0 = libtorch default (all cores)
  std::vector<MethodConfig> methods;         // "full" first (added when absent: the baseline)
  // Whole-LLM timing (`model:` set): the shape above then comes from the model's config.
  std::string model;                // preset name, config.json or model folder; "" = attention only
  std::string model_source;         // resolved config file or "preset:<name>"
  int64_t layers = 0;               // K decoder layers timed (0 = all), scaled by layers_total / K
  int64_t layers_total = 0;         // the model's num_hidden_layers
  int64_t hidden = 0, intermediate = 0;
  std::string llm_dtype = "fp32";   // fp32 | bf16 compute dtype of the LLM's linear layers
  // `reduction:` (reduction/reduction_registry.h; needs `model:`): every method also runs on each reduction of
  // the layout; "none" first (added when absent: the baseline).
  std::vector<reduction::ReductionConfig> reductions = {reduction::ReductionConfig{}};
  bool time_llm() const { return !model.empty(); }
  nlohmann::json resolved;                   // the whole configuration after defaults
};

// Throws std::invalid_argument naming the file and key for unknown keys / bad values, a `shape:` that
// disagrees with `model:`, and `model:` in a build without models/ (PEVLM_CORE_ONLY).
SpeedConfig parse_speed_config(const nlohmann::json& doc, const std::string& source);
SpeedConfig load_speed_config(const std::filesystem::path& path);

}  // namespace pevlm
