#pragma once
// make_synthetic_lvb: writes a small dataset in LongVideoBench's layout and schema
// (see /work/shared/reference/longvideobench.md):
//   <dir>/lvb_val.json                 array of question entries with every field of the real file
//   <dir>/videos/<video_id>.mp4        real H.264 (libx264) or MPEG-4 part 2 files
//   <dir>/subtitles/<video_id>_en.json the two real subtitle schemas, alternating between videos
//   <dir>/synthetic_info.json          provenance: seed, encoder used, FFmpeg versions, per-video facts
// Every second of a video shows a palette background, a digit and a shape (raster.h); questions ask
// about them, so a model (or a test) can be checked against the drawn content.
#include "datasets/synthetic/synthetic_plan.h"

#include <cstdint>
#include <string>
#include <vector>

namespace pevlm::synthetic {

struct SyntheticLvbSummary {
  std::string dir;
  uint64_t seed = 0;
  std::string codec;                 // encoder used: "libx264" or "mpeg4"
  std::vector<std::string> video_ids;
  int questions = 0;
  uint64_t bytes = 0;                // total size of the written files
};

// Encodes one planned video to `file` (each scene rendered once, repeated for its frames); returns the
// encoder used. Shared by every synthetic format (synthetic_formats.h).
std::string write_synthetic_video(const SyntheticVideoPlan& plan, const std::string& file);

// Creates (or overwrites files in) `dir`. Deterministic for (num_videos, seed) on a given FFmpeg build.
// Throws std::invalid_argument for num_videos < 1, VideoError / std::runtime_error for I/O problems.
SyntheticLvbSummary make_synthetic_lvb(const std::string& dir, int num_videos, uint64_t seed);


}  // namespace pevlm::synthetic
