// Video-MME annotations (library pevlm_videomme, torch-free; facts in ../shared/reference/benchmarks.md).
//
// The release ships its annotations as Parquet (lmms-lab/Video-MME, videomme/test-*.parquet); no
// maintained C++ Parquet reader is in the package registries, so scripts/convert-videomme-parquet turns it
// once into JSON Lines (one object per question, the release's columns unchanged). Layout under <root>:
//   videomme.jsonl                 {"videoID", "question_id", "duration", "domain", "sub_category",
//                                   "task_type", "question", "options": ["A. ...", ...], "answer": "A", ...}
//   data/{videoID}.mp4|.MP4|.mkv   videos (lmms-eval videomme_doc_to_visual tries the three in this order)
//   subtitle/{videoID}.srt         subtitles (744 of the 900 videos have one)
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "datasets/dataset/sample.h"

namespace pevlm::videomme {

inline constexpr const char* kAnnotationFile = "videomme.jsonl";
inline constexpr const char* kVideoDir = "data";
inline constexpr const char* kSubtitleDir = "subtitle";

// The duration groups, in the benchmark's order: short (< 2 min), medium (4-15 min), long (30-60 min).
const std::vector<std::string>& duration_groups();

// One annotation object -> Sample (validated: every field present and typed, duration one of
// duration_groups(), exactly 4 options "A. ..." .. "D. ...", answer a letter A-D). `where` names the
// file and line in errors. Paths are resolved under `root` but not checked.
datasets::Sample parse_entry(const nlohmann::json& entry, const std::string& where, const std::filesystem::path& root);

// Loads <root>/videomme.jsonl; duplicate question ids are errors; missing videos / subtitle files are
// recorded on the samples (datasets::check_sample_files), not thrown.
std::vector<datasets::Sample> load_annotations(const std::filesystem::path& root);

// The video file of `video_id` under <root>/data: the first of .mp4, .MP4, .mkv that exists, else the .mp4 path.
std::filesystem::path video_file_for(const std::filesystem::path& root, const std::string& video_id);

}  // namespace pevlm::videomme
