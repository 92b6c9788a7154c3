// Frame index selection of the LongVideoBench protocols, as plain arithmetic on probed numbers
// (library pevlm_lvb, torch-free). Every function reproduces a reference bit for bit:
//  - official_frame_indices: LongVideoBench longvideobench_dataset.py load_video (also used by
//    lmms-eval longvideobench_val_i);
//  - lmms_compute_frame_timestamps: lmms-eval tasks/longvideobench/utils.py
//    compute_frame_timestamps (the subtitle clock of longvideobench_val_i);
//  - qwen_smart_nframes / torch_linspace_round: qwen-vl-utils vision_process.py (smart_nframes,
//    `torch.linspace(0, total_frames - 1, nframes).round().long()`);
//  - numpy_linspace_int: `np.linspace(0, n - 1, k, dtype=int)` of lmms-eval models/qwen2_5_vl.py.
// Errors: std::invalid_argument naming the quantity and what was expected.
#pragma once

#include <cstdint>
#include <vector>

namespace pevlm::lvb {

// Official: total = int(duration * fps); n = min(max_num_frames, int(duration));
// index_i = int(total / n) * i for i < n (never reaches the end of the clip).
// Throws when n == 0 (duration < 1 s: the reference divides by zero).
std::vector<int64_t> official_frame_indices(double duration, double fps, int max_num_frames);

// lmms-eval compute_frame_timestamps: duration > max ? [duration / max * i, i < max]
// : [0, 1, ..., int(duration) - 1] (seconds).
std::vector<double> lmms_compute_frame_timestamps(double duration, int max_num_frames);

// qwen-vl-utils smart_nframes for the `fps` branch (FRAME_FACTOR = 2):
// min_f = ceil(min_frames / 2) * 2; max_f = floor(min(max_frames, total) / 2) * 2;
// n = min(min(max(total / video_fps * fps, min_f), max_f), total); n = floor(n / 2) * 2.
// Throws unless 2 <= n <= total (as the reference).
int64_t qwen_smart_nframes(int64_t total_frames, double video_fps, double fps, int64_t min_frames,
                           int64_t max_frames);

// torch.linspace(start, end, steps) in float32 on CPU followed by .round() (half to even):
// step = float(end - start) / (steps - 1); value_i = fma(step, i, start) for i < steps / 2,
// else fma(-step, steps - 1 - i, end) (ATen RangeFactoriesKernel, FMA-contracted as the
// shipped x86 build; verified against torch 2.11 by tests/data/lvb/golden_linspace.json).
std::vector<int64_t> torch_linspace_round(int64_t start, int64_t end, int64_t steps);

// np.linspace(0, stop, num, dtype=int): float64 i * (stop / (num - 1)), last = stop exactly,
// truncated toward zero.
std::vector<int64_t> numpy_linspace_int(int64_t stop, int64_t num);

// np.round(np.linspace(0, stop, num)).astype(int): the same float64 points, rounded half to even
// (VILA's LongVILA video loader, llava/mm_utils.py).
std::vector<int64_t> numpy_linspace_round(int64_t stop, int64_t num);

// What the lmms-eval Qwen2.5-VL adapter decodes for longvideobench_val_v.
struct QwenFpsSampling {
  int64_t decoded_frames = 0;         // nframes of smart_nframes (frames qwen-vl-utils reads)
  std::vector<int64_t> indices;       // container frame indices finally given to the model
  std::vector<int64_t> decoded_positions;  // positions into the decoded list (np.linspace)
  double sample_fps = 0.0;            // qwen-vl-utils: nframes / total_frames * video_fps
};

// qwen-vl-utils decode at `fps` then lmms-eval's subsample to `max_num_frames` by
// np.linspace(0, nframes - 1, max_num_frames, dtype=int), appending nframes - 1 if absent.
// lmms-eval keeps duplicate positions (short clips decode fewer frames than max_num_frames);
// deduplicate = true drops repeats (the variant ../shared/reference/longvideobench.md describes).
// max_num_frames <= 0 keeps every decoded frame.
QwenFpsSampling qwen_fps_sampling(int64_t total_frames, double video_fps, double fps,
                                  int64_t min_frames, int64_t max_frames, int64_t max_num_frames,
                                  bool deduplicate);

}  // namespace pevlm::lvb
