#include "datasets/dataset/benchmark.h"

#include <stdexcept>

namespace pevlm::datasets {

nlohmann::json MetricDefinition::to_json() const {
  return {{"name", name}, {"kind", kind}, {"axis", axis}, {"description", description}};
}

std::string letter_of(size_t i) {
  if (i >= 26) throw std::invalid_argument("option index out of range (A-Z): " + std::to_string(i));
  return std::string(1, char('A' + i));
}

void check_sample_files(Sample& s) {
  std::string problems;
  s.video_missing = !std::filesystem::exists(s.video_file);
  if (s.video_missing) problems = "video file not found: " + s.video_file.string();
  s.subtitle_missing = !s.subtitle_file.empty() && !std::filesystem::exists(s.subtitle_file);
  if (s.subtitle_missing)
    problems += (problems.empty() ? "" : "; ") + std::string("subtitle file not found: ") + s.subtitle_file.string();
  s.error = problems;
}

std::string missing_files_problem(const Sample& s, bool needs_subtitles) {
  std::string out;
  if (s.video_missing) out = "video file not found: " + s.video_file.string();
  if (needs_subtitles && s.subtitle_missing)
    out += (out.empty() ? "" : "; ") + std::string("subtitle file not found: ") + s.subtitle_file.string();
  return out;
}

std::string Benchmark::sample_problem(const Sample& s) const { return missing_files_problem(s, false); }

answers::ScoredAnswer Benchmark::score(const Sample& s, const std::string& response) const {
  return answers::score_answer(answer_rule(), response, int(s.options.size()), s.id, s.answer);
}

}  // namespace pevlm::datasets
