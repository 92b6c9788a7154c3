// Video-MME annotation loading and validation (see annotations.h).
#include "datasets/videomme/annotations.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "datasets/dataset/benchmark.h"
#include "datasets/dataset/json_files.h"
#include "datasets/longvideobench/json_fields.h"

namespace pevlm::videomme {

const std::vector<std::string>& duration_groups() {
  static const std::vector<std::string> kGroups = {"short", "medium", "long"};
  return kGroups;
}

std::filesystem::path video_file_for(const std::filesystem::path& root, const std::string& video_id) {
  for (const char* ext : {".mp4", ".MP4", ".mkv"}) {
    const auto p = root / kVideoDir / (video_id + ext);
    if (std::filesystem::exists(p)) return p;
  }
  return root / kVideoDir / (video_id + ".mp4");
}

datasets::Sample parse_entry(const nlohmann::json& e, const std::string& where, const std::filesystem::path& root) {
  lvb::JsonContext ctx{where, "question"};
  if (!e.is_object()) ctx.fail("(entry)", "expected a JSON object, got " + lvb::describe_json(e));
  datasets::Sample s;
  s.question_id = lvb::get_string(e, "question_id", ctx);
  ctx.entry = "question \"" + s.question_id + "\"";
  s.id = s.question_id;
  s.video_id = lvb::get_string(e, "videoID", ctx);
  s.duration_group = lvb::get_string(e, "duration", ctx);
  const auto& groups = duration_groups();
  if (std::find(groups.begin(), groups.end(), s.duration_group) == groups.end())
    ctx.fail("duration", "expected short, medium or long, got \"" + s.duration_group + "\"");
  s.categories["domain"] = {lvb::get_string(e, "domain", ctx)};
  s.categories["sub_category"] = {lvb::get_string(e, "sub_category", ctx)};
  s.categories["task_type"] = {lvb::get_string(e, "task_type", ctx)};
  s.question = lvb::get_string(e, "question", ctx);
  const std::vector<std::string> options = lvb::get_string_list(e, "options", ctx);
  if (options.size() != 4) ctx.fail("options", "expected 4 options \"A. ...\" .. \"D. ...\", got " + std::to_string(options.size()));
  for (size_t i = 0; i < options.size(); ++i) {
    const std::string prefix = datasets::letter_of(i) + ". ";
    if (options[i].compare(0, prefix.size(), prefix) != 0)
      ctx.fail("options", "option " + std::to_string(i) + " must start with \"" + prefix + "\", got \"" + options[i] + "\"");
    s.options.push_back(options[i].substr(prefix.size()));
  }
  const std::string answer = lvb::get_string(e, "answer", ctx);
  if (answer.size() != 1 || answer[0] < 'A' || answer[0] > 'D') ctx.fail("answer", "expected a letter A-D, got \"" + answer + "\"");
  s.answer = answer[0];
  s.video_file = video_file_for(root, s.video_id);
  s.video_path = std::filesystem::relative(s.video_file, root).string();
  s.subtitle_file = root / kSubtitleDir / (s.video_id + ".srt");
  return s;
}

std::vector<datasets::Sample> load_annotations(const std::filesystem::path& root) {
  const auto path = root / kAnnotationFile;
  const auto lines = datasets::read_json_lines(
      path, "Video-MME annotations", "JSON Lines from the release's Parquet: scripts/convert-videomme-parquet");
  std::vector<datasets::Sample> out;
  std::set<std::string> ids;
  for (const auto& l : lines) {
    datasets::Sample s = parse_entry(l.value, path.string() + ":" + std::to_string(l.line), root);
    if (!ids.insert(s.id).second)
      throw std::runtime_error(path.string() + ":" + std::to_string(l.line) + ": duplicate question_id \"" + s.id + "\"");
    s.native_index = out.size();
    datasets::check_sample_files(s);
    // 156 of the 900 videos have no subtitle file: not a problem of the sample (the prompt says so).
    s.error = datasets::missing_files_problem(s, false);
    out.push_back(std::move(s));
  }
  if (out.empty()) throw std::runtime_error(path.string() + ": no questions");
  return out;
}

}  // namespace pevlm::videomme
