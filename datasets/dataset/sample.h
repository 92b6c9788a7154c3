// One multiple-choice question of any benchmark, as the harness sees it (library pevlm_dataset,
// torch-free; issue 24 item 1). Every benchmark's loader (datasets/<benchmark>/) turns its release files
// into these; the eval loop, caches, shards, resume and reports read only these fields.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pevlm::datasets {

struct Sample {
  std::string id;           // unique key of the question within its benchmark (result rows' sample_id)
  std::string question_id;  // the benchmark's own question id (Video-MME "001-1", LVBench uid, ...)
  // Questions with the same video_id share one video: frames, clustering of confidence intervals and
  // (issue 24 item 7) the question-independent prefix are per video.
  std::string video_id;
  std::string video_path;               // the video's path relative to the dataset root (frames-cache key)
  std::filesystem::path video_file;     // resolved under the dataset root
  std::filesystem::path subtitle_file;  // empty when the benchmark has no subtitles for this video
  std::string question;                 // the question stem, without options
  std::vector<std::string> options;     // option texts without their letters; letter i = 'A' + i
  std::optional<char> answer;           // gold letter; nullopt in a split without answers
  // The benchmark's category fields, axis -> values (several values: multi-label, e.g. LVBench).
  std::map<std::string, std::vector<std::string>> categories;
  std::string duration_group;  // "short" | "medium" | "long" (Video-MME), "15" ... (LongVideoBench), "" none
  double duration = 0.0;       // seconds from the annotation (0 when the release has none)

  // --- set by the loader's file checks ---
  bool video_missing = false;
  bool subtitle_missing = false;  // only meaningful when subtitle_file is not empty
  // Problems found at load time, joined by "; " (the run records them per row and goes on).
  std::string error;

  size_t native_index = 0;  // position in the benchmark's own list (its native sample type)
};

}  // namespace pevlm::datasets
