// See sample_inputs.h.
#include "harness/eval/sample_inputs.h"

#include "attention/device_timer.h"
#include "models/video_lm/assistant_prefix.h"

namespace pevlm {

EncodedVideo encode_video(const VideoLM& model, const VideoInput& video, const c10::Device& device,
                          bool with_fastvid_signals) {
  EncodedVideo out;
  // Device time of the tower (CUDA events on a GPU: a host clock would time the launches).
  const auto timer = attention::DeviceTimer::make(device);
  const int v0 = timer->mark();
  out.vision = with_fastvid_signals ? model.encode_with_fastvid_signals(video, out.fastvid) : model.encode(video);
  out.vision_ms = timer->ms(v0, timer->mark());
  return out;
}

SampleInputs sample_inputs(const VideoLM& model, const VideoInput& video, const at::Tensor& vision,
                           const std::string& system_prompt, const std::string& question,
                           const std::string& assistant_prefix) {
  SampleInputs out;
  out.prompt = model.build_prompt(video, system_prompt, question);
  append_assistant_prefix(out.prompt, model.tokenizer(), assistant_prefix);
  out.x_LD = model.embed_prompt(out.prompt, vision);
  return out;
}

}  // namespace pevlm
