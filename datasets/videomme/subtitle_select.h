// Which Video-MME subtitle cues go into a prompt (library pevlm_videomme, torch-free).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datasets/videomme/srt.h"

namespace pevlm::videomme {

// The official rule ("only the subtitles corresponding to the sampled frames", Video-MME README): the
// cues, in file order, each once, whose span [start, end) holds at least one of `frame_times` (seconds
// of the frames the model actually sampled); text = cue_plain_text. Returns the lines.
std::vector<std::string> cues_at_frame_times(const std::vector<SrtCue>& cues, const std::vector<double>& frame_times);

// lmms-eval tasks/videomme/utils.py (videomme_doc_to_text_subtitle with frame_num; load_subtitles,
// extract_subtitles) re-stated:
//  - cues keyed by (start, end) in a dict: a repeated span keeps its first position and the last text;
//    text = the cue's lines joined by " ";
//  - cue frames [int(start * fps), int(end * fps)) with cv2's fps;
//  - frames np.linspace(0, total_frame - 1, frame_num, dtype=int) (frame_num -1 = every frame);
//  - the indices of cues holding a frame, ordered as CPython's list(set(...)) (python_set_order.h);
//  - a cue's text is the first match of <font color="white" size=".72c">(.*?)</font>; cues without
//    one are skipped.
// Returns the lines (joined by "\n" in the prompt).
std::vector<std::string> lmms_subtitle_lines(const std::vector<SrtCue>& cues, int64_t total_frame, double fps, int frame_num);

}  // namespace pevlm::videomme
