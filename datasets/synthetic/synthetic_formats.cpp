// Synthetic datasets in the Video-MME, MLVU and LVBench release formats (see synthetic_formats.h).
#include "datasets/synthetic/synthetic_formats.h"

extern "C" {
#include <libavcodec/version.h>
#include <libavformat/version.h>
}

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "datasets/synthetic/synthetic_lvb.h"
#include "datasets/synthetic/synthetic_plan.h"

namespace pevlm::synthetic {
namespace {

namespace fs = std::filesystem;
using ordered_json = nlohmann::ordered_json;

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw std::runtime_error("make_synthetic_dataset: cannot write '" + path.string() + "'");
  out << text;
  if (!out) throw std::runtime_error("make_synthetic_dataset: write failed for '" + path.string() + "'");
}

// The first `keep` candidates, the correct one among them (swapped into the last kept slot if needed).
void limit_options(QuestionPlan& q, size_t keep) {
  if (q.candidates.size() <= keep) return;
  if (size_t(q.correct_choice) >= keep) {
    std::swap(q.candidates[keep - 1], q.candidates[size_t(q.correct_choice)]);
    q.correct_choice = int(keep - 1);
  }
  q.candidates.resize(keep);
}

std::string srt_time(double s) {
  const long ms = std::lround(s * 1000.0);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%02ld:%02ld:%02ld,%03ld", ms / 3600000, (ms / 60000) % 60, (ms / 1000) % 60, ms % 1000);
  return buf;
}

// Video-MME's .srt: numbered cues, text wrapped in the font tag lmms-eval's regex reads.
std::string srt_text(const SyntheticVideoPlan& p, bool crlf_bom) {
  const std::string nl = crlf_bom ? "\r\n" : "\n";
  std::string out = crlf_bom ? "\xEF\xBB\xBF" : "";
  int n = 0;
  for (const auto& line : p.subtitles) {
    out += std::to_string(++n) + nl + srt_time(line.start_s) + " --> " + srt_time(line.end_s.value_or(p.seconds)) + nl +
           "<font color=\"white\" size=\".72c\">" + line.text + "</font>" + nl + nl;
  }
  return out;
}

const char* videomme_duration(int group) { return group <= 60 ? "short" : group <= 600 ? "medium" : "long"; }

struct Writer {
  fs::path root;
  uint64_t seed;
  SyntheticDatasetSummary summary;
  void video(const SyntheticVideoPlan& p, const fs::path& file) {
    fs::create_directories(file.parent_path());
    summary.codec = write_synthetic_video(p, file.string());
    ++summary.videos;
  }
  void info(const std::string& format) {
    ordered_json info;
    info["generator"] = "pevlm make-synthetic-dataset (datasets/synthetic)";
    info["format"] = format;
    info["seed"] = seed;
    info["num_videos"] = summary.videos;
    info["questions"] = summary.questions;
    info["codec"] = summary.codec;
    info["libavcodec"] = LIBAVCODEC_IDENT;
    info["libavformat"] = LIBAVFORMAT_IDENT;
    write_text(root / "synthetic_info.json", info.dump(1) + "\n");
  }
};

void write_videomme(Writer& w, int num_videos) {
  static const char* kDomains[] = {"Knowledge", "Film & Television", "Sports Competition", "Artistic Performance", "Life Record", "Multilingual"};
  static const char* kSub[] = {"Astronomy", "Animation", "Football", "Magic Show", "Daily Life", "Multilingual"};
  static const char* kTasks[] = {"Attribute Perception", "Object Recognition", "OCR Problems", "Temporal Perception"};
  std::string jsonl;
  fs::create_directories(w.root / "subtitle");
  for (int i = 0; i < num_videos; ++i) {
    SyntheticVideoPlan p = plan_synthetic_video(w.seed, i);
    char num[8];
    std::snprintf(num, sizeof(num), "%03d", i + 1);
    w.video(p, w.root / "data" / (p.video_id + ".mp4"));
    if (i % 3 != 2) write_text(w.root / "subtitle" / (p.video_id + ".srt"), srt_text(p, i % 2 == 1));
    for (size_t k = 0; k < 3 && k < p.questions.size(); ++k) {
      QuestionPlan q = p.questions[k];
      limit_options(q, 4);
      ordered_json e;
      e["video_id"] = num;
      e["duration"] = videomme_duration(p.duration_group);
      e["domain"] = kDomains[i % 6];
      e["sub_category"] = kSub[i % 6];
      e["url"] = "https://www.youtube.com/watch?v=" + p.video_id;
      e["videoID"] = p.video_id;
      e["question_id"] = std::string(num) + "-" + std::to_string(k + 1);
      e["task_type"] = kTasks[k % 4];
      e["question"] = q.question;
      ordered_json options = ordered_json::array();
      for (size_t c = 0; c < q.candidates.size(); ++c) options.push_back(std::string(1, char('A' + c)) + ". " + q.candidates[c]);
      e["options"] = options;
      e["answer"] = std::string(1, char('A' + q.correct_choice));
      jsonl += e.dump() + "\n";
      ++w.summary.questions;
    }
  }
  write_text(w.root / "videomme.jsonl", jsonl);
}

void write_mlvu(Writer& w, int num_videos) {
  static const std::pair<const char*, const char*> kTasks[] = {{"1_plotQA", "plotQA"}, {"2_needle", "needle"}, {"3_ego", "ego"},
                                                               {"4_count", "count"},   {"5_order", "order"},   {"6_anomaly_reco", "anomaly_reco"},
                                                               {"7_topic_reasoning", "topic_reasoning"}};
  std::vector<ordered_json> files(7, ordered_json::array());
  for (int i = 0; i < num_videos; ++i) {
    const SyntheticVideoPlan p = plan_synthetic_video(w.seed, i);
    const auto& [stem, task] = kTasks[i % 7];
    w.video(p, w.root / "video" / stem / (p.video_id + ".mp4"));
    for (const QuestionPlan& q : p.questions) {
      ordered_json e;
      e["video"] = p.video_id + ".mp4";
      e["duration"] = double(p.seconds);
      e["question"] = q.question;
      e["candidates"] = q.candidates;
      e["answer"] = q.candidates[size_t(q.correct_choice)];
      e["question_type"] = task;
      files[size_t(i % 7)].push_back(e);
      ++w.summary.questions;
    }
  }
  fs::create_directories(w.root / "json");
  for (size_t t = 0; t < 7; ++t) write_text(w.root / "json" / (std::string(kTasks[t].first) + ".json"), files[t].dump(1) + "\n");
}

void write_lvbench(Writer& w, int num_videos) {
  static const char* kCategories[] = {"key information retrieval", "event understanding", "summarization",
                                      "entity recognition",        "reasoning",           "temporal grounding"};
  std::string jsonl;
  int uid = 0;
  for (int i = 0; i < num_videos; ++i) {
    SyntheticVideoPlan p = plan_synthetic_video(w.seed, i);
    w.video(p, w.root / "videos" / (p.video_id + ".mp4"));
    ordered_json qa = ordered_json::array();
    for (size_t k = 0; k < p.questions.size(); ++k) {
      QuestionPlan q = p.questions[k];
      limit_options(q, 4);
      std::string text = q.question;
      for (size_t c = 0; c < q.candidates.size(); ++c) text += "\n(" + std::string(1, char('A' + c)) + ") " + q.candidates[c];
      ordered_json e;
      e["uid"] = uid;
      e["question"] = text;
      e["answer"] = std::string(1, char('A' + q.correct_choice));
      ordered_json types = ordered_json::array({kCategories[uid % 6]});
      if (uid % 3 == 0) types.push_back(kCategories[(uid + 1) % 6]);  // several labels, as in the release
      e["question_type"] = types;
      e["time_reference"] = srt_time(0).substr(3, 5) + "-" + srt_time(p.seconds).substr(3, 5);
      qa.push_back(e);
      ++uid;
      ++w.summary.questions;
    }
    ordered_json line;
    line["key"] = p.video_id;
    line["type"] = "synthetic";
    line["qa"] = qa;
    line["video_info"] = {{"duration_minutes", p.seconds / 60.0}, {"fps", p.fps}, {"resolution", {{"width", p.width}, {"height", p.height}}}};
    jsonl += line.dump() + "\n";
  }
  write_text(w.root / "video_info.meta.jsonl", jsonl);
}

}  // namespace

const std::vector<std::string>& synthetic_formats() {
  static const std::vector<std::string> kFormats = {"lvb", "videomme", "mlvu", "lvbench"};
  return kFormats;
}

SyntheticDatasetSummary make_synthetic_dataset(const std::string& format, const std::string& dir, int num_videos, uint64_t seed) {
  if (num_videos < 1) throw std::invalid_argument("make_synthetic_dataset: num_videos must be >= 1 (got " + std::to_string(num_videos) + ")");
  const auto& formats = synthetic_formats();
  if (std::find(formats.begin(), formats.end(), format) == formats.end())  // before anything is created
    throw std::invalid_argument("make_synthetic_dataset: unknown format '" + format + "'; valid: lvb, videomme, mlvu, lvbench");
  if (format == "lvb") {
    const SyntheticLvbSummary s = make_synthetic_lvb(dir, num_videos, seed);
    return {format, dir, s.codec, int(s.video_ids.size()), s.questions};
  }
  Writer w{fs::path(dir), seed, {format, dir, "", 0, 0}};
  fs::create_directories(w.root);
  if (format == "videomme") write_videomme(w, num_videos);
  else if (format == "mlvu") write_mlvu(w, num_videos);
  else if (format == "lvbench") write_lvbench(w, num_videos);
  else throw std::invalid_argument("make_synthetic_dataset: unknown format '" + format + "'; valid: lvb, videomme, mlvu, lvbench");
  w.info(format);
  return w.summary;
}

}  // namespace pevlm::synthetic
