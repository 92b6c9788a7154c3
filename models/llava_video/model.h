// LLaVA-Video-7B-Qwen2 behind the VideoLM interface (library pevlm_llava_video).
//
// Video path (LLaVA-NeXT llava_arch.py encode_multimodals / prepare_inputs_labels_for_multimodal,
// lmms-eval llava_vid.py): frames resized to S x S (PIL bicubic), /255, mean = std = 0.5; SigLIP
// (all layers but the last, no post-layernorm) per frame; projector Linear-GELU(erf)-Linear per frame;
// 2x2 pooling + newline placement (pooling.h); the qwen_1_5 prompt
//   <|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n<image>\n[{time}\n]{text}<|im_end|>\n<|im_start|>assistant\n
// with the video tokens in place of <image>; plain 1-D positions 0..L-1. The folder's chat template must
// render exactly that (tokenizer/chat_template.h): lmms-lab layout, read as its tokenizer reads it
// (chat_template.jinja / tokenizer_config.json), the Qwen2 template (= LLaVA-NeXT conv_templates["qwen_1_5"]
// for this conversation); llava-hf / OneVision layout, read as its processor reads it (processor_config.json
// / chat_template.json / chat_template.jinja), the LLaVA-OneVision conversion template ("<video>\n").
#pragma once

#include <filesystem>
#include <memory>

#include "models/llava_video/config.h"
#include "models/siglip/pooling_head.h"
#include "models/siglip/siglip.h"
#include "models/video_lm/qwen2_backbone.h"

namespace pevlm::llava_video {

// LLaVA-Video's time instruction for the frames sampled at `times` (seconds) of a video of `duration`
// seconds ("{frame_time}.Please" without a space, as LLaVA-NeXT's training code writes it).
std::string time_instruction(double duration, const std::vector<double>& times);

class LlavaVideoLM : public Qwen2VideoLM {
 public:
  // Reads config.json (either layout), the tokenizer and every weight. Errors name the folder, file and
  // tensor (missing shard, wrong shape) or the config key (unknown projector type). `request.options`:
  // parse_options (pool_mode, newline, time_instruction, frames, fastvid_siglip: the SigLIP release folder read
  // for FastVID, which needs pool_mode average, as the reference's get_attn_2dPool).
  LlavaVideoLM(const std::filesystem::path& dir, const LoadRequest& request);

  std::string family() const override { return "llava_video"; }
  nlohmann::json describe() const override;
  std::vector<at::Tensor> tensors() const override;
  int64_t default_frames() const override { return options_.frames; }
  // lmms-eval llava_vid's uniform sampling: np.linspace(0, n_frames - 1, n, dtype=int) (truncation).
  lvb::PromptPlan generate_plan(int64_t frame_count, double fps, int64_t wanted) const override;

  VideoInput prepare(const at::Tensor& frames_THWC, const lvb::PromptPlan& plan, double duration_s) const override;
  at::Tensor encode(const VideoInput& video) const override;
  // FastVID (fastvid_signals.h): with the model option fastvid_siglip.
  bool provides_fastvid_signals() const override { return fastvid_head_ != nullptr; }
  std::string fastvid_signals_missing() const override;
  at::Tensor encode_with_fastvid_signals(const VideoInput& video, FastvidSignals& signals) const override;
  VideoPrompt build_prompt(const VideoInput& video, const std::string& system_prompt,
                           const std::string& question) const override;

  const LlavaVideoConfig& config() const { return config_; }
  const Options& options() const { return options_; }
  // Stages of encode(), for the parity tests: SigLIP features [T, g*g, Dv] and projected [T, g*g, D].
  at::Tensor vision_features(const at::Tensor& pixels_TCSS) const { return vision_.forward(pixels_TCSS); }
  at::Tensor project(const at::Tensor& feat_TND) const;

 private:
  std::unique_ptr<VideoLM> load_same_family(const std::filesystem::path& dir, const LoadRequest& request) const override {
    return std::make_unique<LlavaVideoLM>(dir, request);
  }
  LlavaVideoLM(const std::filesystem::path& dir, const LoadRequest& request, LlavaVideoConfig config);
  // encode(), and FastVID's signals where `fastvid` is given.
  at::Tensor encode_chunks(const VideoInput& video, FastvidSignals* fastvid) const;

  LlavaVideoConfig config_;
  Options options_;
  siglip::SiglipTower vision_;
  std::shared_ptr<const siglip::SiglipPoolingHead> fastvid_head_;  // the release's head (option fastvid_siglip)
  at::Tensor proj1_w_, proj1_b_, proj2_w_, proj2_b_, newline_D_;
  // Keeps the file mapping alive: on the CPU the projector / newline weights are zero-copy views of it.
  std::shared_ptr<const safetensors::Checkpoint> mapping_;
};

}  // namespace pevlm::llava_video
