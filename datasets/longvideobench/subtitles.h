// LongVideoBench subtitles: both file schemas and the frame/subtitle interleaving of the
// reference loaders (library pevlm_lvb, torch-free).
//
// Mirrors LongVideoBench longvideobench_dataset.py (timestamp_to_seconds,
// insert_subtitles_into_frames) and lmms-eval tasks/longvideobench/utils.py (same algorithm on
// timestamps only); facts in ../shared/reference/longvideobench.md ("Subtitle files",
// protocol 1).
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace pevlm::lvb {

// One subtitle line as stored in the file (times NOT yet shifted by
// starting_timestamp_for_subtitles: the interleaving does that, as the reference).
struct Subtitle {
  double start = 0.0;  // seconds
  double end = 0.0;    // seconds; meaningless when end_is_duration
  // "timestamp" schema whose end is not a JSON float (null, or an integer such as 12): the
  // reference tests `isinstance(end, float)` and uses the clip duration instead.
  bool end_is_duration = false;
  std::string text;    // "text" (timestamp schema) or "line" (start/end schema)
};

// "HH:MM:SS.fff" -> seconds = int(h) * 3600 + int(m) * 60 + float(s), as the reference's
// timestamp_to_seconds. Throws std::runtime_error naming `context` on a malformed string.
double timestamp_to_seconds(const std::string& hms, const std::string& context);

// Parses a subtitle array: each element either {"timestamp": [start, end], "text": str}
// (end may be null) or {"start": "HH:MM:SS.fff", "end": "HH:MM:SS.fff", "line": str}.
// `source` names the file in errors (with the element index and field).
std::vector<Subtitle> parse_subtitles(const nlohmann::json& doc, const std::string& source);

// Reads and parses a subtitle file; throws std::runtime_error naming the file.
std::vector<Subtitle> load_subtitles(const std::filesystem::path& path);

// One element of an interleaved prompt: a frame (by position in the frame list) or a line.
struct InterleavedItem {
  bool is_frame = false;
  int frame = -1;    // index into the frame timestamp list when is_frame
  std::string text;  // subtitle text when !is_frame
  bool operator==(const InterleavedItem&) const = default;
};

// insert_subtitles_into_frames of the reference, on frame timestamps (seconds):
// for each subtitle in file order: shift start/end by -starting_timestamp (a non-float end is
// replaced by `duration` BEFORE the shift, as the reference), mid = (start + end) / 2; emit every
// not-yet-emitted frame with timestamp <= mid; if end - start < 1 widen to [mid-0.5, mid+0.5];
// emit the text iff SOME frame (any, emitted or not) has start < t < end. After the last
// subtitle emit the remaining frames. Frames therefore appear once each, in order.
std::vector<InterleavedItem> interleave_subtitles(const std::vector<double>& frame_timestamps,
                                                  const std::vector<Subtitle>& subtitles,
                                                  double starting_timestamp_for_subtitles,
                                                  double duration);

}  // namespace pevlm::lvb
