// Qwen3-VL (dense) behind the VideoLM interface (library pevlm_qwen3_vl_model).
//
// prepare: the plan's frames as one video (qwen-vl-utils 0.0.14: per-frame pixel budget for the frame
// count, smart_resize by 32, torchvision antialiased bicubic; preprocess.h), timestamps per temporal
// patch from the plan's frame times (mean of the patch's two frames; prompt.h). encode: the vision tower
// (vision.h) -> [N, hidden * (1 + k)]: the merged tokens, then the k DeepStack features as column blocks
// (one cacheable tensor). build_prompt: prompt.h (one timestamp + vision start/end per patch; a Frame span
// per patch holds all of them; 3 x L interleaved-M-RoPE positions). embed_prompt: the tokens at the
// <|video_pad|> rows plus the DeepStack blocks (text.h with_deepstack), which the shared decoder adds
// after layers 0..k-1 at every row, so DeepStack composes with every plan and decoder.
#pragma once

#include <filesystem>
#include <memory>

#include "models/qwen3_vl/config.h"
#include "models/qwen3_vl/vision.h"
#include "models/video_lm/qwen2_backbone.h"

namespace pevlm::qwen3_vl {

class Qwen3VideoLM : public Qwen2VideoLM {
 public:
  // Reads config.json, the tokenizer and every weight. Qwen3-VL takes no model options.
  Qwen3VideoLM(const std::filesystem::path& dir, const LoadRequest& request);

  std::string family() const override { return "qwen3_vl"; }
  nlohmann::json describe() const override;
  std::vector<at::Tensor> tensors() const override;
  // lmms-eval's qwen3_vl wrapper samples at most 32 frames by default.
  int64_t default_frames() const override { return 32; }
  // qwen-vl-utils: round(torch.linspace(0, frame_count - 1, n)) with n = generate_frame_count(wanted, ...).
  lvb::PromptPlan generate_plan(int64_t frame_count, double fps, int64_t wanted) const override;

  VideoInput prepare(const at::Tensor& frames_THWC, const lvb::PromptPlan& plan, double duration_s) const override;
  at::Tensor encode(const VideoInput& video) const override;
  VideoPrompt build_prompt(const VideoInput& video, const std::string& system_prompt,
                           const std::string& question) const override;
  at::Tensor embed_prompt(const VideoPrompt& prompt, const at::Tensor& vision) const override;

  const Qwen3VLConfig& config() const { return config_; }

 private:
  // Drafts of the draft-model decoders (Qwen2VideoLM::draft_models): Qwen3-VL checkpoints with this
  // tokenizer; the draft's prompt ids must equal the target's (draft_models.h), which also holds its
  // special ids, timestamps and video patching to the target's.
  std::unique_ptr<VideoLM> load_same_family(const std::filesystem::path& dir, const LoadRequest& request) const override {
    return std::make_unique<Qwen3VideoLM>(dir, request);
  }
  Qwen3VideoLM(const std::filesystem::path& dir, const LoadRequest& request, Qwen3VLConfig config);

  Qwen3VLConfig config_;
  std::unique_ptr<VisionTower> vision_;
  std::shared_ptr<const safetensors::Checkpoint> mapping_;  // vision weights may be views of it (CPU)
};

}  // namespace pevlm::qwen3_vl
