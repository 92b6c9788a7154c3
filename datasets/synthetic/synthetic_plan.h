#pragma once
// The content plan of one synthetic LongVideoBench video: everything the generator draws, says in
// subtitles and asks, derived deterministically from (seed, video index). The generator writes files
// from it; tests recompute it to know what each second must show.
#include "datasets/synthetic/raster.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pevlm::synthetic {

// One subtitle line, times in seconds from the start of the video (before the dataset's offset).
struct SubtitleLine {
  double start_s = 0;
  std::optional<double> end_s;  // nullopt = until the end of the video (written as null)
  std::string text;
};

// One multiple-choice question in LongVideoBench's schema (fields named as in lvb_val.json).
struct QuestionPlan {
  std::string question;
  std::string question_wo_referring_query;
  std::vector<std::string> candidates;  // 4 or 5
  int correct_choice = 0;               // 0-based
  std::vector<int> position;            // seconds of the video the answer is drawn at
  std::string question_category;        // one of the 17 LongVideoBench categories
  std::string level;                    // "L1-Perception" or "L2-Relation"
};

struct SyntheticVideoPlan {
  std::string video_id;           // 11 characters, YouTube-like
  int index = 0;                  // position in the dataset
  int duration_group = 15;        // 15, 60, 600 or 3600 (the reference's four groups)
  int seconds = 0;                // duration in whole seconds (= the duration field)
  double fps = 0;
  int width = 0, height = 0;
  int gop = 0;                    // frames between keyframes
  int scene_s = 1;                // content changes every scene_s seconds
  std::vector<SecondContent> content;   // one entry per second
  std::vector<SubtitleLine> subtitles;
  int subtitle_offset_s = 0;      // starting_timestamp_for_subtitles: added to every subtitle time on disk
  bool timestamp_schema = true;   // true: {"timestamp":[s,e],"text"}; false: {"start","end","line"} strings
  std::string topic_category;
  int64_t view_count = 0;
  std::vector<QuestionPlan> questions;
};

// Deterministic for (seed, index); index selects the duration group (index % 4 -> 15, 60, 600, 3600).
SyntheticVideoPlan plan_synthetic_video(uint64_t seed, int index);

}  // namespace pevlm::synthetic
