// A loaded Qwen2.5-VL model behind the VideoLM interface (models/video_lm/video_lm.h; to move to
// models/qwen2_5_vl/ once concurrent edits of this file have landed): config, tokenizer, vision
// tower, LLM and the attention executor, all on one device (issue 10: weights go from the mapping to the device, every
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
#include "methods/method_registry.h"
#include "models/qwen2_5_vl/config.h"
#include "models/qwen2_5_vl/llm.h"
#include "models/qwen2_5_vl/prompt.h"
#include "models/qwen2_5_vl/vision.h"
#include "models/tokenizer/tokenizer.h"
#include "models/video_lm/video_lm.h"

namespace pevlm {

class QwenRuntime : public VideoLM {
 public:
  // dtype: "auto" (the checkpoint's torch_dtype), "bf16" or "fp32"; executor: make_executor name or
  // "auto" (the device's default), checked against the device.
  QwenRuntime(const std::filesystem::path& model_dir, const std::string& dtype, const std::string& executor,
              const DeviceSpec& device = resolve_device("cpu"));

  const qwen2_5_vl::Qwen25VLConfig& config() const { return config_; }
  const qwen2_5_vl::PreprocessorConfig& preprocessor() const { return preprocessor_; }
  const tokenizer::Tokenizer& tokenizer() const { return tokenizer_; }
  std::string dtype_name() const override;
  const DeviceSpec& device() const { return device_; }
  std::string family() const override { return "qwen2_5_vl"; }
  // {"name", "family", "path", "dtype", "device", "executor", "kernel", "config": dims} for result rows.
  nlohmann::json describe() const override;
  // Load time and memory right after loading: {"ms", "peak_host_mib", "peak_device_mib"}.
  const nlohmann::json& load_figures() const override { return load_figures_; }
  // Every weight tensor of the vision tower and the LLM (placement checks).
  std::vector<at::Tensor> tensors() const override;
  // pevlm generate's default: 16 frames (qwen-vl-utils' linspace sampler over the whole video).
  int64_t default_frames() const override { return 16; }

  // The protocol's preprocessing (qwen2_5_vl/preprocess.h, per-frame pixel limits of the plan): one
  // chunk for a video (frames_as_video), else one per frame piece (the frame repeated to the temporal
  // patch, as the processor does for images); pieces in the plan's order.
  VideoInput prepare(const at::Tensor& frames_THWC, const lvb::PromptPlan& plan, double duration_s) const override;
  at::Tensor encode(const VideoInput& video) const override;
  VideoPrompt build_prompt(const VideoInput& video, const std::string& system_prompt, const std::string& question) const override;
  at::Tensor embed_prompt(const VideoPrompt& prompt, const at::Tensor& vision) const override;

  // Visual embeddings of every chunk, concatenated in prompt order.
  at::Tensor encode(const std::vector<qwen2_5_vl::VideoPatches>& chunks) const;
  // The chat prompt (ids, TokenLayout, positions) of a prepared sample's user turn + question.
  qwen2_5_vl::BuiltPrompt prompt(const VideoInput& video, const std::string& system_prompt, const std::string& question) const;
  // Prefill under `method`'s plan (logits of the last row only).
  qwen2_5_vl::LlmSession prefill(const at::Tensor& x_LD, const TokenLayout& layout, const MethodConfig& method) const override;
  // prefill, then decode up to max_new_tokens with `decoder` (greedy by default; stops at <|im_end|> /
  // <|endoftext|>), detokenise. Decoders with a draft model need `draft` (draft_answer.h).
  MethodAnswer answer(const at::Tensor& x_LD, const TokenLayout& layout, const MethodConfig& method, int64_t max_new_tokens,
                      const DecoderConfig& decoder = {}, const DraftInput* draft = nullptr) const override;
  // The LLM and its executor, for callers that drive prefill/decode themselves (draft decoders;
  // pevlm analyze wraps the executor to record attention mass per span).
  const qwen2_5_vl::QwenLlm& llm() const override { return *llm_; }
  attention::Executor& executor() const override { return *executor_; }
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
