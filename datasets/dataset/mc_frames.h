// Frames of a multiple-choice protocol (McProtocol) for one probed video (library pevlm_dataset).
// Reuses LongVideoBench's bit-exact samplers (datasets/longvideobench/frame_sampling.h).
#pragma once

#include <string>

#include "datasets/dataset/mc_protocol.h"
#include "datasets/longvideobench/prompt_plan.h"

namespace pevlm::datasets {

// A plan with the frame indices, timestamps (index / fps), pixel limits and one Frame piece per frame;
// the caller fills the prompt text. Throws std::invalid_argument starting with `who` for an unusable
// probe (fps <= 0, no frames) or a sampler the video cannot satisfy.
lvb::PromptPlan plan_mc_frames(const McProtocol& protocol, const lvb::VideoProbe& probe, const std::string& who);

}  // namespace pevlm::datasets
