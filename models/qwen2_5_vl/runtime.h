// Qwen2.5-VL behind the VideoLM interface (library pevlm_qwen_runtime): config, tokenizer, vision
// tower, LLM and the attention executor, all on the request's device (issue 10: weights go from the
// mapping to the device, every stage runs there; the CPU only decodes and preprocesses video); encodes
// video chunks, builds the prompt (M-RoPE positions) and answers under one method configuration with
// per-phase timings of the device's work. Every decoder (models/video_lm/decoded_answer.h); drafts of
// the draft-model decoders are Qwen2.5-VL checkpoints (models/video_lm/draft_models.h).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>

#include "attention/executor.h"
#include "models/qwen2_5_vl/config.h"
#include "models/llm/decoder.h"
#include "models/qwen2_5_vl/prompt.h"
#include "models/qwen2_5_vl/vision.h"
#include "models/tokenizer/chat_template.h"
#include "models/tokenizer/tokenizer.h"
#include "models/video_lm/video_lm.h"

namespace pevlm::qwen2_5_vl {

class QwenVideoLM : public VideoLM {
 public:
  // Reads config.json, preprocessor_config.json, the tokenizer, the processor's chat template (it must be
  // the Qwen2.5-VL template prompt.h renders: tokenizer/chat_template.h) and every weight onto request.device in
  // request.dtype ("auto": the checkpoint's torch_dtype) with request.executor. Qwen2.5-VL takes no model
  // options (an error naming the folder and the options given).
  QwenVideoLM(const std::filesystem::path& model_dir, const LoadRequest& request);

  const Qwen25VLConfig& config() const { return config_; }
  const PreprocessorConfig& preprocessor() const { return preprocessor_; }
  const tokenizer::Tokenizer& tokenizer() const override { return tokenizer_; }
  const tokenizer::ChatTemplate& chat_template() const { return chat_template_; }
  std::string dtype_name() const override;
  const at::Device& device() const { return device_; }
  const std::string& device_name() const { return device_name_; }
  std::string family() const override { return "qwen2_5_vl"; }
  // {"name", "family", "path", "dtype", "device", "executor", "kernel", "config": dims, "chat_template"} for result rows.
  nlohmann::json describe() const override;
  // Load time and memory right after loading: {"ms", "peak_host_mib", "peak_device_mib"} (set by the loader).
  const nlohmann::json& load_figures() const override { return load_figures_; }
  void set_load_figures(nlohmann::json figures) override { load_figures_ = std::move(figures); }
  // Every weight tensor of the vision tower and the LLM (placement checks).
  std::vector<at::Tensor> tensors() const override;
  // pevlm generate's default: 16 frames (qwen-vl-utils' linspace sampler over the whole video).
  int64_t default_frames() const override { return 16; }
  // qwen-vl-utils for a video without fps sampling: torch.linspace(0, n_frames - 1, n).round(), and its
  // VIDEO_MIN_PIXELS / VIDEO_MAX_PIXELS (128 and 768 x 28 x 28 per frame).
  lvb::PromptPlan generate_plan(int64_t frame_count, double fps, int64_t wanted) const override;

  // The protocol's preprocessing (preprocess.h, per-frame pixel limits of the plan): one chunk for a
  // video (frames_as_video), else one per frame piece (the frame repeated to the temporal patch, as the
  // processor does for images); pieces in the plan's order.
  VideoInput prepare(const at::Tensor& frames_THWC, const lvb::PromptPlan& plan, double duration_s) const override;
  at::Tensor encode(const VideoInput& video) const override;
  bool provides_fastvid_signals() const override { return true; }
  at::Tensor encode_with_fastvid_signals(const VideoInput& video, FastvidSignals& signals) const override;
  VideoPrompt build_prompt(const VideoInput& video, const std::string& system_prompt, const std::string& question) const override;
  at::Tensor embed_prompt(const VideoPrompt& prompt, const at::Tensor& vision) const override;

  // Visual embeddings of every chunk, concatenated in prompt order.
  at::Tensor encode(const std::vector<VideoPatches>& chunks, at::Tensor* fastvid_saliency = nullptr) const;
  // The chat prompt (ids, TokenLayout, positions) of a prepared sample's user turn + question.
  BuiltPrompt prompt(const VideoInput& video, const std::string& system_prompt, const std::string& question) const;
  // Prefill under `method`'s plan (logits of the last row only).
  llm::Session prefill(const at::Tensor& x_LD, const TokenLayout& layout, const MethodConfig& method) const override;
  // prefill, then decode up to max_new_tokens with `decoder` (greedy by default; stops at <|im_end|> /
  // <|endoftext|>), detokenise. Decoders with a draft model need `draft` (draft_models()).
  MethodAnswer answer(const at::Tensor& x_LD, const TokenLayout& layout, const MethodConfig& method, int64_t max_new_tokens,
                      const DecoderConfig& decoder = {}, const DraftInput* draft = nullptr) const override;
  MethodAnswer answer_session(llm::Session& session, int64_t max_new_tokens) const override;
  // The LLM and its executor, for callers that drive prefill/decode themselves (draft decoders;
  // pevlm analyze wraps the executor to record attention mass per span).
  const llm::Decoder& llm() const override { return *llm_; }
  attention::Executor& executor() const override { return *executor_; }
  std::string detokenize(const std::vector<int64_t>& ids) const override {
    return tokenizer_.decode(std::vector<int32_t>(ids.begin(), ids.end()), /*skip_special=*/true);
  }
  std::vector<int64_t> stop_ids() const override { return stop_ids_; }
  at::Tensor embed(const BuiltPrompt& prompt, const at::Tensor& vision) const;
  // Qwen2.5-VL drafts (draft_models.h): loaded on this model's device, dtype and executor kind, checked
  // for the same special ids, video patching and tokenizer.
  std::unique_ptr<DraftModels> draft_models(const std::filesystem::path& target_dir) const override;

 private:
  std::filesystem::path dir_;
  Qwen25VLConfig config_;
  PreprocessorConfig preprocessor_;
  tokenizer::Tokenizer tokenizer_;
  tokenizer::ChatTemplate chat_template_;
  at::ScalarType dtype_;
  at::Device device_;
  std::string device_name_;
  nlohmann::json load_figures_ = nlohmann::json::object();
  std::unique_ptr<VisionTower> vision_;
  std::unique_ptr<llm::Decoder> llm_;
  std::shared_ptr<attention::Executor> executor_;
  std::vector<int64_t> stop_ids_;
};

}  // namespace pevlm::qwen2_5_vl
