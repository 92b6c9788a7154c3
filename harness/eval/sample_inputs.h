// The per-sample path from a prepared video to the LLM's input, taken by `eval`, `generate` and `analyze`
// alike (issue 23 item 3): the vision tower on the device (timed with device events), the family's chat
// prompt, the protocol's assistant prefix after it (MLVU's "Best Option: (", models/video_lm/assistant_prefix.h)
// and the prompt embeddings. Each command keeps only its own concern (eval: caches, rows; generate: printing;
// analyze: span masses).
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <string>

#include "models/video_lm/video_lm.h"

namespace pevlm {

struct EncodedVideo {
  at::Tensor vision;           // [N, hidden] visual embeddings in prompt order
  FastvidSignals fastvid;      // when asked for (FastVID reductions), else undefined
  double vision_ms = 0;        // device time of the tower (CUDA events on a GPU)
};
// `device`: where the model runs; `with_fastvid_signals` asks the tower for FastVID's saliency
// and global features too (VideoLM::encode_with_fastvid_signals; models without them throw saying why).
EncodedVideo encode_video(const VideoLM& model, const VideoInput& video, const c10::Device& device,
                          bool with_fastvid_signals = false);

struct SampleInputs {
  VideoPrompt prompt;  // ids, TokenLayout, positions (+ the assistant prefix)
  at::Tensor x_LD;     // the prompt's embeddings
};
// VideoLM::build_prompt, append_assistant_prefix (empty prefix: nothing), VideoLM::embed_prompt.
SampleInputs sample_inputs(const VideoLM& model, const VideoInput& video, const at::Tensor& vision,
                           const std::string& system_prompt, const std::string& question,
                           const std::string& assistant_prefix = "");

}  // namespace pevlm
