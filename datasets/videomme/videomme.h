// Video-MME behind the dataset interface (library pevlm_videomme, torch-free; issue 24 item 2).
//
// Protocols (McProtocol defaults; configs/protocols/videomme_*.yaml name them):
//  - "official":     no subtitles; the official prompt (Video-MME README / evaluation prompt):
//                    "Select the best answer to the following multiple-choice question based on the video.
//                    Respond with only the letter (A, B, C, or D) of the correct option.\n<q>\nA. ..\nB. ..
//                    \nC. ..\nD. ..\nThe best answer is:"; extractor videomme_regex (eval_your_results.py).
//  - "official_sub": the same with "This video's subtitles are listed below:\n<lines>\n" before it, the
//                    lines being the cues at the frames the model actually sampled (the official rule).
//  - "lmms":         lmms-eval tasks/videomme/utils.py videomme_doc_to_text (commit 06965734) with
//                    videomme.yaml's default post_prompt "\nAnswer the question with A, B, C, or D."
//                    (commit 0c1350d6): "<option_prompt>\n<q>\n<options>\n<post_prompt>", where lmms-eval's
//                    option_prompt mentions "the video and the subtitles" even without subtitles.
//  - "lmms_sub":     lmms-eval videomme_w_subtitle (videomme_doc_to_text_subtitle, frame_num 32 from the
//                    task yaml): "This video's subtitles are listed below: \n<lines>\n<option_prompt>\n<q>\n
//                    <options>\nThe best answer is:"; cues chosen for subtitle_frame_num frames over the
//                    whole video (subtitle_select.h), not the frames the model sees.
// A video without a subtitle file gets "No subtitles available" (lmms-eval's text) under both subtitle
// protocols; rows record subtitles_available.
// Frames: the Qwen2.5-VL default of lmms-eval (qwen_fps at 2 fps, 32 frames); cards override per family.
// Metrics: accuracy overall and per duration (short/medium/long), domain, sub_category and task_type.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "datasets/dataset/benchmark.h"
#include "datasets/dataset/mc_protocol.h"

namespace pevlm::videomme {

inline constexpr const char* kOfficialInstruction =
    "Select the best answer to the following multiple-choice question based on the video. Respond with only the "
    "letter (A, B, C, or D) of the correct option.";
inline constexpr const char* kLmmsInstruction =
    "Select the best answer to the following multiple-choice question based on the video and the subtitles. "
    "Respond with only the letter (A, B, C, or D) of the correct option.";

const std::vector<std::string>& protocol_names();  // {"official", "official_sub", "lmms", "lmms_sub"}
// The protocol with its defaults, then `overrides`; throws naming an unknown name (listing the valid ones).
datasets::McProtocol make_protocol(const std::string& name, const nlohmann::json& overrides = nlohmann::json::object());

// The user text after the video for `sample` (subtitle lines given; ignored when the protocol has none;
// `subtitles_available` false -> "No subtitles available").
std::string question_text(const datasets::McProtocol& protocol, const datasets::Sample& sample,
                          const std::vector<std::string>& subtitle_lines, bool subtitles_available);

// Loads <root> (annotations.h) under the protocol `spec.protocol` ({"name", keys...}).
std::unique_ptr<datasets::Benchmark> open(const datasets::DatasetSpec& spec);
// Validates a protocol without any file: its full JSON.
nlohmann::json check_protocol(const nlohmann::json& protocol);

}  // namespace pevlm::videomme
