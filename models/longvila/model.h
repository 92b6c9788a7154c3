// LongVILA-7B-256f behind the VideoLM interface (library pevlm_longvila).
//
// Video path (VILA encoders/video/basic.py, multimodal_encoder, base_projector.py): frames resized to
// S x S (no aspect keep, PIL bicubic), /255, normalised with the tower's mean/std (0.5); SigLIP
// hidden_states[-2] per frame (no post-layernorm); mlp_downsample (projector.h) -> 256 tokens; the
// LLM embedding of "\n" after every frame (257 tokens per frame, a real token in the prompt ids).
// Prompt: the chat template of llm/ (llm/tokenizer_config.json or llm/chat_template.jinja, as VILA's
// AutoTokenizer reads it; VILA's LlavaConfig drops a "chat_template" of config.json, so its own
// chat_templates/*.jinja never apply to a released folder): the qwen2 or qwen2_vila template
// (tokenizer/chat_template.h), with the user message VILA builds: the video, then the text, stripped
// (llava/utils/media.py extract_media, llava/utils/tokenizer.py tokenize_conversation). 1-D positions.
// Frames: VILA's loader with the config's num_video_frames and fps (frame_sampling.h).
#pragma once

#include <filesystem>

#include "models/longvila/config.h"
#include "models/longvila/projector.h"
#include "models/siglip/siglip.h"
#include "models/video_lm/qwen2_backbone.h"

namespace pevlm::longvila {

class LongVilaLM : public Qwen2VideoLM {
 public:
  // Reads the split folder (config.json, llm/, vision_tower/, mm_projector/). Errors name the folder,
  // file and tensor (missing shard, wrong shape) or the config key (unknown projector type). Model
  // options: {"frames": N} (generate's default frame count, else num_video_frames).
  LongVilaLM(const std::filesystem::path& dir, const LoadRequest& request);

  std::string family() const override { return "longvila"; }
  nlohmann::json describe() const override;
  std::vector<at::Tensor> tensors() const override;
  int64_t default_frames() const override { return frames_; }
  // VILA's video loader (frame_sampling.h) with the config's fps and `wanted` frames: from the start at
  // that rate when fps > 0 (fewer frames for short videos), else np.round(np.linspace(0, n - 1, wanted)).
  lvb::PromptPlan generate_plan(int64_t frame_count, double fps, int64_t wanted) const override;

  VideoInput prepare(const at::Tensor& frames_THWC, const lvb::PromptPlan& plan, double duration_s) const override;
  at::Tensor encode(const VideoInput& video) const override;
  VideoPrompt build_prompt(const VideoInput& video, const std::string& system_prompt,
                           const std::string& question) const override;

  const LongVilaConfig& config() const { return config_; }
  // Stages of encode() for the parity tests.
  at::Tensor vision_features(const at::Tensor& pixels_TCSS) const { return vision_.forward(pixels_TCSS); }
  const Projector& projector() const { return projector_; }

 private:
  std::unique_ptr<VideoLM> load_same_family(const std::filesystem::path& dir, const LoadRequest& request) const override {
    return std::make_unique<LongVilaLM>(dir, request);
  }
  LongVilaLM(const std::filesystem::path& dir, const LoadRequest& request, LongVilaConfig config);

  LongVilaConfig config_;
  int64_t frames_;
  siglip::SiglipTower vision_;
  Projector projector_;
  int64_t newline_id_ = -1;  // the tokenizer's "\n"
};

}  // namespace pevlm::longvila
