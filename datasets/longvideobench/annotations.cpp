// LongVideoBench annotation loading and validation (see annotations.h).
#include "datasets/longvideobench/annotations.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>
#include <unordered_map>

#include "datasets/longvideobench/json_fields.h"

namespace pevlm::lvb {
namespace {

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

// "entry 3 (id \"x_0\")" when the id is readable, else "entry 3".
std::string entry_name(const nlohmann::json& entry, size_t index) {
  std::string name = "entry " + std::to_string(index);
  if (entry.is_object()) {
    auto it = entry.find("id");
    if (it != entry.end() && it->is_string()) name += " (id \"" + it->get<std::string>() + "\")";
  }
  return name;
}

// Candidates: 2..5 strings (letters A..E; lmms-eval parses only A-E). The reference has 4-5.
void parse_candidates(const nlohmann::json& entry, const JsonContext& ctx, Sample& s) {
  s.candidates = get_string_list(entry, "candidates", ctx);
  if (s.candidates.size() < 2 || s.candidates.size() > 5) {
    ctx.fail("candidates", "expected 2 to 5 options (letters A-E), got " +
                               std::to_string(s.candidates.size()));
  }
}

// correct_choice / position: required in the validation split, absent in the test split (but
// validated whenever present).
void parse_answer_fields(const nlohmann::json& entry, const JsonContext& ctx, bool require_answers,
                         Sample& s) {
  if (require_answers || entry.contains("correct_choice")) {
    int64_t c = get_integer(entry, "correct_choice", ctx);
    if (c < 0 || c >= static_cast<int64_t>(s.candidates.size())) {
      ctx.fail("correct_choice", "expected an index in [0, " + std::to_string(s.candidates.size()) +
                                     ") (0-based into candidates), got " + std::to_string(c));
    }
    s.correct_choice = static_cast<int>(c);
  }
  if (require_answers || entry.contains("position")) {
    s.position = get_integer_list(entry, "position", ctx);
  }
}

void parse_categories(const nlohmann::json& entry, const JsonContext& ctx, Sample& s) {
  s.topic_category = get_string(entry, "topic_category", ctx);
  s.question_category = get_string(entry, "question_category", ctx);
  const auto& cats = question_categories();
  if (std::find(cats.begin(), cats.end(), s.question_category) == cats.end()) {
    ctx.fail("question_category",
             "unknown category \"" + s.question_category + "\"; valid: " + join(cats, ", "));
  }
  s.level = get_string(entry, "level", ctx);
  if (s.level.empty()) ctx.fail("level", "expected a non-empty string such as \"L1-Perception\"");
}

void parse_timing(const nlohmann::json& entry, const JsonContext& ctx, Sample& s) {
  int64_t g = get_integer(entry, "duration_group", ctx);
  const auto& groups = duration_groups();
  if (std::find(groups.begin(), groups.end(), g) == groups.end()) {
    ctx.fail("duration_group", "expected one of 15, 60, 600, 3600, got " + std::to_string(g));
  }
  s.duration_group = static_cast<int>(g);
  s.starting_timestamp_for_subtitles = get_number(entry, "starting_timestamp_for_subtitles", ctx);
  if (!std::isfinite(s.starting_timestamp_for_subtitles)) {
    ctx.fail("starting_timestamp_for_subtitles", "expected a finite number");
  }
  s.duration = get_number(entry, "duration", ctx);
  if (!(s.duration > 0.0) || !std::isfinite(s.duration)) {
    ctx.fail("duration", "expected a positive number of seconds, got " + std::to_string(s.duration));
  }
  s.view_count = get_integer(entry, "view_count", ctx);
}

}  // namespace

const std::vector<std::string>& question_categories() {
  static const std::vector<std::string> kCats = {"S2E", "S2O", "S2A", "E2O", "O2E", "T2E",
                                                 "T2O", "T2A", "E3E", "O3O", "SSS", "SOS",
                                                 "SAA", "T3E", "T3O", "TOS", "TAA"};
  return kCats;
}

const std::vector<int>& duration_groups() {
  static const std::vector<int> kGroups = {15, 60, 600, 3600};
  return kGroups;
}

Sample parse_sample(const nlohmann::json& entry, const std::string& source, size_t index,
                    bool require_answers) {
  JsonContext ctx{source, entry_name(entry, index)};
  if (!entry.is_object()) ctx.fail("", "expected an object, got " + describe_json(entry));
  Sample s;
  s.id = get_string(entry, "id", ctx);
  if (s.id.empty()) ctx.fail("id", "expected a non-empty string");
  s.video_id = get_string(entry, "video_id", ctx);
  s.question = get_string(entry, "question", ctx);
  s.question_wo_referring_query = get_string(entry, "question_wo_referring_query", ctx);
  parse_candidates(entry, ctx, s);
  parse_answer_fields(entry, ctx, require_answers, s);
  parse_categories(entry, ctx, s);
  s.video_path = get_string(entry, "video_path", ctx);
  if (s.video_path.empty()) ctx.fail("video_path", "expected a non-empty file name");
  s.subtitle_path = get_string(entry, "subtitle_path", ctx);
  if (s.subtitle_path.empty()) ctx.fail("subtitle_path", "expected a non-empty file name");
  parse_timing(entry, ctx, s);
  return s;
}

std::vector<Sample> parse_annotations(const nlohmann::json& doc, const std::string& source,
                                      bool require_answers, const std::filesystem::path& root) {
  if (!doc.is_array()) {
    throw std::runtime_error(source + ": expected a JSON array of annotation objects, got " +
                             describe_json(doc));
  }
  std::vector<Sample> samples;
  samples.reserve(doc.size());
  std::unordered_map<std::string, size_t> first_index;  // id -> entry index
  for (size_t i = 0; i < doc.size(); ++i) {
    Sample s = parse_sample(doc[i], source, i, require_answers);
    auto [it, inserted] = first_index.emplace(s.id, i);
    if (!inserted) {
      throw std::runtime_error(source + ": entry " + std::to_string(i) + " (id \"" + s.id +
                               "\"): field \"id\": duplicate id, first used by entry " +
                               std::to_string(it->second));
    }
    s.video_file = root / "videos" / s.video_path;
    s.subtitle_file = root / "subtitles" / s.subtitle_path;
    samples.push_back(std::move(s));
  }
  return samples;
}

void check_media_files(Sample& s) {
  std::vector<std::string> problems;
  std::error_code ec;
  s.video_missing = !std::filesystem::is_regular_file(s.video_file, ec);
  if (s.video_missing) problems.push_back("video file not found: " + s.video_file.string());
  s.subtitle_missing = !std::filesystem::is_regular_file(s.subtitle_file, ec);
  if (s.subtitle_missing) problems.push_back("subtitle file not found: " + s.subtitle_file.string());
  s.error = join(problems, "; ");
}

std::vector<Sample> load_annotations(const std::filesystem::path& root,
                                     const std::string& file_name, const LoadOptions& options) {
  const std::filesystem::path path = root / file_name;
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path.string() + ": cannot open annotation file");
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(path.string() + ": invalid JSON: " + e.what());
  }
  bool require = options.require_answers.value_or(file_name.find("wo_gt") == std::string::npos);
  std::vector<Sample> samples = parse_annotations(doc, path.string(), require, root);
  if (options.check_files) {
    for (auto& s : samples) check_media_files(s);
  }
  return samples;
}

nlohmann::json sample_to_json(const Sample& s) {
  nlohmann::json j = {{"video_id", s.video_id},
                      {"question", s.question},
                      {"question_wo_referring_query", s.question_wo_referring_query},
                      {"candidates", s.candidates}};
  if (s.correct_choice) j["correct_choice"] = *s.correct_choice;
  if (s.correct_choice || !s.position.empty()) j["position"] = s.position;
  j["topic_category"] = s.topic_category;
  j["question_category"] = s.question_category;
  j["level"] = s.level;
  j["id"] = s.id;
  j["video_path"] = s.video_path;
  j["subtitle_path"] = s.subtitle_path;
  j["duration_group"] = s.duration_group;
  // Whole seconds stay integers, as in the released files (e.g. 1267).
  const double t = s.starting_timestamp_for_subtitles;
  if (t == std::floor(t) && std::fabs(t) < 9.0e15) {
    j["starting_timestamp_for_subtitles"] = static_cast<int64_t>(t);
  } else {
    j["starting_timestamp_for_subtitles"] = t;
  }
  j["duration"] = s.duration;
  j["view_count"] = s.view_count;
  return j;
}

}  // namespace pevlm::lvb
