// One LongVideoBench question (library pevlm_lvb, torch-free).
//
// Fields mirror the annotation schema of lvb_val.json / lvb_test_wo_gt.json
// (../shared/reference/longvideobench.md, "Data"; LongVideoBench longvideobench_dataset.py).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pevlm::lvb {

struct Sample {
  // --- annotation fields (names as in the JSON) ---
  std::string id;                           // "<video_id>_<k>", unique key of the question
  std::string video_id;                     // YouTube-style id of the source video
  std::string question;                     // question with its referring query
  std::string question_wo_referring_query;  // the same question without the referring query
  std::vector<std::string> candidates;      // 2..5 options, lettered A, B, ... in this order
  std::optional<int> correct_choice;        // 0-based index into candidates; absent in test
  std::vector<int64_t> position;            // referred positions; empty when absent (test)
  std::string topic_category;               // e.g. "NP-News-Programs"
  std::string question_category;            // one of the 17 codes (S2E ... TAA)
  std::string level;                        // e.g. "L1-Perception", "L2-Relation"
  std::string video_path;                   // file name under <root>/videos
  std::string subtitle_path;                // file name under <root>/subtitles
  int duration_group = 0;                   // 15, 60, 600 or 3600
  double starting_timestamp_for_subtitles = 0.0;  // seconds subtracted from subtitle times
  double duration = 0.0;                    // clip duration in seconds (annotation)
  int64_t view_count = 0;                   // YouTube view count (metadata)

  // --- resolved by the loader ---
  std::filesystem::path video_file;     // <root>/videos/<video_path>
  std::filesystem::path subtitle_file;  // <root>/subtitles/<subtitle_path>
  bool video_missing = false;           // video_file did not exist at load time
  bool subtitle_missing = false;        // subtitle_file did not exist at load time
  // Every problem found at load time ("video file not found: ..."; "subtitle file not found:
  // ..."), joined by "; ". Empty when the sample is complete. The run records it and goes on.
  std::string error;

  // The correct option's letter ('A' + correct_choice), or nullopt in the test split.
  std::optional<char> correct_letter() const {
    if (!correct_choice) return std::nullopt;
    return static_cast<char>('A' + *correct_choice);
  }
};

}  // namespace pevlm::lvb
