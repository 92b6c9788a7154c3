// Loading and validating LongVideoBench annotation files (library pevlm_lvb, torch-free).
//
// Layout (../shared/reference/longvideobench.md, "Data"): <root>/lvb_val.json,
// <root>/lvb_test_wo_gt.json, <root>/videos/<video_path>, <root>/subtitles/<subtitle_path>.
// Each file is a JSON array of objects with the fields of Sample (sample.h).
//
// Errors: std::runtime_error naming the file, the entry (index and id) and the field, for a
// missing field, a wrong type, an out-of-range value (correct_choice, duration_group, category,
// candidate count) or a duplicate id. A missing video or subtitle file is NOT an error: it is
// recorded on the sample (Sample::error) so a run can record it and go on.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "datasets/longvideobench/sample.h"

namespace pevlm::lvb {

inline constexpr const char* kValFile = "lvb_val.json";          // validation, with answers
inline constexpr const char* kTestFile = "lvb_test_wo_gt.json";  // test, without answers

// The 17 question categories of the benchmark (reference doc), in its order.
const std::vector<std::string>& question_categories();
// The 4 duration groups: 15 (8-15 s), 60 (15-60 s), 600 (180-600 s), 3600 (900-3600 s).
const std::vector<int>& duration_groups();

struct LoadOptions {
  // Whether correct_choice and position must be present. nullopt: required unless the file
  // name contains "wo_gt" (the test split ships without answers).
  std::optional<bool> require_answers;
  // Check that <root>/videos/<video_path> and <root>/subtitles/<subtitle_path> exist and record
  // missing ones on the sample. Off: paths are still resolved, nothing is checked.
  bool check_files = true;
};

// Loads <root>/<file_name> (e.g. kValFile) and resolves media paths under <root>.
std::vector<Sample> load_annotations(const std::filesystem::path& root,
                                     const std::string& file_name, const LoadOptions& options = {});

// Validates and converts an already-parsed annotation array; `source` names it in errors.
// Media paths are resolved under `root` (not checked: see check_media_files).
std::vector<Sample> parse_annotations(const nlohmann::json& doc, const std::string& source,
                                      bool require_answers, const std::filesystem::path& root);

// One annotation object -> Sample (validates every field); `index` is its position in the file.
Sample parse_sample(const nlohmann::json& entry, const std::string& source, size_t index,
                    bool require_answers);

// Records missing video / subtitle files on the sample (video_missing, subtitle_missing, error).
void check_media_files(Sample& sample);

// The sample back as an annotation object (the JSON schema's fields only); useful for writers
// of synthetic data and for round-trip tests.
nlohmann::json sample_to_json(const Sample& sample);

}  // namespace pevlm::lvb
