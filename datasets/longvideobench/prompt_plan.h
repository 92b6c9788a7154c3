// What one protocol makes of one sample: the frames to decode and the prompt pieces, as plain
// data the model side turns into tokens (library pevlm_lvb, torch-free).
//
// Mirrors LongVideoBench longvideobench_dataset.py (__getitem__) and lmms-eval
// tasks/longvideobench/utils.py (longvideobench_doc_to_text) with lmms-eval's Qwen2.5-VL adapter
// (models/simple/qwen2_5_vl.py); facts in ../shared/reference/longvideobench.md.
//
// Prompt order: pre_video_text, then `pieces` (frames and subtitle lines) with `separator`
// between consecutive pieces and between the last piece and question_text. render("<image>")
// is exactly lmms-eval's doc_to_text for lmms_val_i; render("") is exactly the context text
// lmms-eval's Qwen2.5-VL adapter sends (it deletes "<image>" and puts every visual before the
// text; our pieces keep the task's interleaving so a model may also place frames in line).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "datasets/longvideobench/protocol.h"
#include "datasets/longvideobench/sample.h"
#include "datasets/longvideobench/subtitles.h"

namespace pevlm::lvb {

// The probed container (datasets/video fills it): plain numbers.
struct VideoProbe {
  double fps = 0.0;          // average frame rate (decord get_avg_fps / FFmpeg avg_frame_rate)
  int64_t frame_count = 0;   // number of decodable frames (decord len(vr))
  double duration = 0.0;     // container duration in seconds (recorded; protocols use the
                             // annotation's duration as the references do)
};

struct PromptPiece {
  enum class Kind { Frame, Text };
  Kind kind = Kind::Frame;
  int frame = -1;    // index into PromptPlan::frame_indices (Frame)
  std::string text;  // subtitle line (Text)
  bool operator==(const PromptPiece&) const = default;
};

struct PromptPlan {
  std::string protocol;                 // Protocol::name
  std::vector<int64_t> frame_indices;   // container frames to decode, in prompt order; may repeat
                                        // (lmms_val_v keeps lmms-eval's duplicate subsamples)
  std::vector<double> frame_timestamps; // frame_indices / probe.fps, seconds
  // The timestamps the subtitle interleaving compared (official: frame_timestamps;
  // lmms_val_i: lmms-eval's compute_frame_timestamps); empty when subtitles are off.
  std::vector<double> subtitle_clock;
  int64_t decoded_frames = 0;  // lmms_val_v: frames qwen-vl-utils decodes before subsampling
  double sample_fps = 0.0;     // lmms_val_v: qwen-vl-utils sample_fps; 0 otherwise
  bool frames_as_video = false;  // Protocol::frames_as_video
  int64_t min_pixels = 0;        // per-frame pixel limits for smart_resize
  double max_pixels = 0.0;       // effective value (video_max_pixels for lmms_val_v)
  double second_per_grid_ts = 1.0;
  std::string system_prompt;
  std::string pre_video_text;
  std::vector<PromptPiece> pieces;
  std::string separator;       // "\n" (official, lmms_val_i with subtitles) or ""
  std::string question_text;   // question, lettered options and instruction, as the reference
  // Text the assistant turn starts with, after the generation prompt (MLVU official "Best Option: (");
  // the answer continues from it. "" for most protocols (models/video_lm/assistant_prefix.h).
  std::string assistant_prefix;
  int subtitle_lines = 0;      // Text pieces inserted

  // The whole prompt as text, each frame written as `frame_placeholder`.
  std::string render(const std::string& frame_placeholder) const;
  // Everything above (for result rows and debugging).
  nlohmann::json to_json() const;
};

// "A", "B", ... for option i (0-based; i < 26).
std::string option_letter(int i);

// The question text of `protocol` for `sample`:
//  official:   "Question: <q>\nA. <c0>\nB. <c1>...\n<post_prompt>"
//  lmms_*:     "<q>\nA. <c0>\nB. <c1>...\n<post_prompt>"
// (lmms-eval: question + "\n" + "\n".join("A. c") then "\n" + post_prompt). The lmms
// pre_prompt is placed by build_prompt_plan: before the interleaved pieces (lmms_val_i with
// subtitles) or at the start of question_text (no interleaving: the adapter puts visuals first).
std::string format_question(const Protocol& protocol, const Sample& sample);

// What keeps `sample` from running under `protocol`, from the loader's file checks: a missing
// video always; a missing subtitle file only when the protocol interleaves subtitles. Empty when
// the sample can run (the harness records a non-empty result as the row's error and goes on).
std::string sample_problem(const Protocol& protocol, const Sample& sample);

// Frames and prompt pieces for one sample. `subtitles` is required (non-null) when
// protocol.subtitles; ignored otherwise. Throws std::invalid_argument naming the sample for an
// unusable probe (fps <= 0, no frames), missing subtitles, or frame indices past the video's end
// (the annotation's duration x fps exceeds the probed frame count).
PromptPlan build_prompt_plan(const Protocol& protocol, const Sample& sample,
                             const VideoProbe& probe,
                             const std::vector<Subtitle>* subtitles = nullptr);

}  // namespace pevlm::lvb
