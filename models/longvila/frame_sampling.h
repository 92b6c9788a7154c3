// The frames VILA's video loader gives LongVILA (library pevlm_longvila_sampling, torch-free):
// NVlabs/VILA llava/utils/media.py `_load_video` (HEAD b760c34; its fps branch came in 42541b0), called by
// `_extract_video` with the checkpoint config's num_video_frames and fps. Checked against a Python
// re-statement of those lines (scripts/golden/make_vila_sampling_golden.py) in
// tests/longvila_sampling_test.cpp.
#pragma once

#include <cstdint>
#include <vector>

namespace pevlm::longvila {

// frame_count: frames of the video (VILA walks back from CAP_PROP_FRAME_COUNT to the last readable
// frame); video_fps: its frame rate (CAP_PROP_FPS); fps: config.json "fps"; num_frames:
// num_video_frames (or generate's --frames).
//  - fps > 0: from the start at that rate: duration = frame_count / video_fps,
//    t_i = i * (1.0 / fps) for i < ceil(duration / (1.0 / fps)) (np.arange), the first num_frames of
//    them, index_i = int(t_i * video_fps) (truncated). Short videos give fewer than num_frames frames;
//    an index rounding up to frame_count is a failed read VILA skips, so it is dropped here too.
//  - fps <= 0: uniformly over the whole video, np.round(np.linspace(0, frame_count - 1, num_frames))
//    (half to even); fewer frames than num_frames repeat indices, as VILA's list does.
// Throws std::invalid_argument naming the quantity when frame_count or num_frames < 1, or when fps > 0
// and video_fps <= 0 (VILA's duration is then 0 and it loads no frame).
std::vector<int64_t> vila_frame_indices(int64_t frame_count, double video_fps, double fps, int64_t num_frames);

}  // namespace pevlm::longvila
