// A loaded Qwen2.5-VL model as the harness uses it: config, tokenizer, vision tower, LLM and the
// attention executor, all on one device (issue 10: weights go from the mapping to the device, every
// stage runs there; the CPU only decodes and preprocesses video); encodes video chunks (through the
// embedding cache), builds the prompt and answers under one method configuration with per-phase
// timings of the device's work.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>

#include "attention/executor.h"
#include "decoders/decode_metrics.h"
#include "decoders/decoder_registry.h"
#include "harness/device_spec.h"
#include "harness/eval/sample_video.h"
#include "methods/method_registry.h"
#include "models/qwen2_5_vl/config.h"
#include "models/qwen2_5_vl/llm.h"
#include "models/qwen2_5_vl/prompt.h"
#include "models/qwen2_5_vl/vision.h"
#include "models/tokenizer/tokenizer.h"

namespace pevlm {

struct MethodAnswer {
  std::string response;
  std::vector<int64_t> tokens;
  nlohmann::json token_counts;  // plan.token_counts()
  qwen2_5_vl::LlmTimings timings;  // decode_ms: the whole decode loop (a speculative one: draft + verify)
  // Speculative decoders: their figures (greedy_decode_ms and lossless are left for the caller, who
  // runs greedy on the same sample) and the selection they drafted with.
  std::optional<SpeculativeFigures> speculative;
  nlohmann::json selection;
};

struct DraftInput;  // harness/eval/draft_answer.h: a draft model and its embeddings of the sample

class QwenRuntime {
 public:
  // dtype: "auto" (the checkpoint's torch_dtype), "bf16" or "fp32"; executor: make_executor name or
  // "auto" (the device's default), checked against the device.
  QwenRuntime(const std::filesystem::path& model_dir, const std::string& dtype, const std::string& executor,
              const DeviceSpec& device = resolve_device("cpu"));

  const qwen2_5_vl::Qwen25VLConfig& config() const { return config_; }
  const qwen2_5_vl::PreprocessorConfig& preprocessor() const { return preprocessor_; }
  const tokenizer::Tokenizer& tokenizer() const { return tokenizer_; }
  std::string dtype_name() const;
  const DeviceSpec& device() const { return device_; }
  // {"name", "path", "dtype", "device", "executor", "kernel", "config": dims} for result rows.
  nlohmann::json describe() const;
  // Load time and memory right after loading: {"ms", "peak_host_mib", "peak_device_mib"}.
  const nlohmann::json& load_figures() const { return load_figures_; }
  // Every weight tensor of the vision tower and the LLM (placement checks).
  std::vector<at::Tensor> tensors() const;

  // Visual embeddings of every chunk, concatenated in prompt order.
  at::Tensor encode(const std::vector<qwen2_5_vl::VideoPatches>& chunks) const;
  // The chat prompt (ids, TokenLayout, positions) of a prepared sample's user turn + question.
  qwen2_5_vl::BuiltPrompt prompt(const PreparedVideo& video, const std::string& system_prompt, const std::string& question) const;
  // Prefill under `method`'s plan (logits of the last row only).
  qwen2_5_vl::LlmSession prefill(const at::Tensor& x_LD, const TokenLayout& layout, const MethodConfig& method) const;
  // prefill, then decode up to max_new_tokens with `decoder` (greedy by default; stops at <|im_end|> /
  // <|endoftext|>), detokenise. Decoders with a draft model need `draft` (draft_answer.h).
  MethodAnswer answer(const at::Tensor& x_LD, const TokenLayout& layout, const MethodConfig& method, int64_t max_new_tokens,
                      const DecoderConfig& decoder = {}, const DraftInput* draft = nullptr) const;
  // The LLM and its executor, for callers that drive prefill/decode themselves (draft decoders;
  // pevlm analyze wraps the executor to record attention mass per span).
  const qwen2_5_vl::QwenLlm& llm() const { return *llm_; }
  attention::Executor& executor() const { return *executor_; }
  at::Tensor embed(const qwen2_5_vl::BuiltPrompt& prompt, const at::Tensor& vision) const;

 private:
  std::filesystem::path dir_;
  qwen2_5_vl::Qwen25VLConfig config_;
  qwen2_5_vl::PreprocessorConfig preprocessor_;
  tokenizer::Tokenizer tokenizer_;
  at::ScalarType dtype_;
  DeviceSpec device_;
  nlohmann::json load_figures_;
  std::unique_ptr<qwen2_5_vl::VisionTower> vision_;
  std::unique_ptr<qwen2_5_vl::QwenLlm> llm_;
  std::unique_ptr<attention::Executor> executor_;
  std::vector<int64_t> stop_ids_;
};

}  // namespace pevlm
