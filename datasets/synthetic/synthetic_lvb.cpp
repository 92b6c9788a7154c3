// Writing the synthetic LongVideoBench dataset: videos (VideoWriter), subtitles, lvb_val.json entries.
#include "datasets/synthetic/synthetic_lvb.h"

#include "datasets/video/video_writer.h"

extern "C" {
#include <libavcodec/version.h>
#include <libavformat/version.h>
}

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>

namespace pevlm::synthetic {
namespace {

namespace fs = std::filesystem;
using ordered_json = nlohmann::ordered_json;

void write_json(const fs::path& path, const ordered_json& j) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error("make_synthetic_lvb: cannot write '" + path.string() + "'");
  out << j.dump(1) << "\n";
  if (!out) throw std::runtime_error("make_synthetic_lvb: write failed for '" + path.string() + "'");
}

}  // namespace

// Frames: each scene is rendered once and repeated for all its frames.
std::string write_synthetic_video(const SyntheticVideoPlan& p, const std::string& file) {
  const fs::path path(file);
  video::VideoWriterOptions opt;
  opt.fps = p.fps;
  opt.width = p.width;
  opt.height = p.height;
  opt.gop = p.gop;
  video::VideoWriter writer(path.string(), opt);
  std::vector<uint8_t> rgb;
  const int frames_per_second = static_cast<int>(std::lround(p.fps));
  for (int s = 0; s < p.seconds; ++s) {
    if (s == 0 || s % p.scene_s == 0) render_frame(p.content[s], p.width, p.height, rgb);
    for (int f = 0; f < frames_per_second; ++f) writer.write_rgb(rgb.data());
  }
  writer.finish();
  return writer.codec_name();
}

namespace {

double round_ms(double s) { return std::round(s * 1000.0) / 1000.0; }

// "HH:MM:SS.fff", the second subtitle schema of the reference.
std::string hhmmss(double s) {
  const long ms = std::lround(s * 1000.0);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%02ld:%02ld:%02ld.%03ld", ms / 3600000, (ms / 60000) % 60, (ms / 1000) % 60, ms % 1000);
  return buf;
}

// Subtitle times on disk are absolute in the (imaginary) original video: relative + offset.
ordered_json subtitles_json(const SyntheticVideoPlan& p) {
  ordered_json arr = ordered_json::array();
  for (const auto& line : p.subtitles) {
    const double start = line.start_s + p.subtitle_offset_s;
    ordered_json e;
    if (p.timestamp_schema) {
      e["timestamp"] = {round_ms(start), line.end_s ? ordered_json(round_ms(*line.end_s + p.subtitle_offset_s)) : ordered_json(nullptr)};
      e["text"] = line.text;
    } else {
      e["start"] = hhmmss(start);
      e["end"] = hhmmss(line.end_s.value_or(p.seconds) + p.subtitle_offset_s);
      e["line"] = line.text;
    }
    arr.push_back(e);
  }
  return arr;
}

// One lvb_val.json entry per question, fields in the order of the real file.
void append_entries(const SyntheticVideoPlan& p, ordered_json& entries) {
  for (size_t k = 0; k < p.questions.size(); ++k) {
    const QuestionPlan& q = p.questions[k];
    ordered_json e;
    e["video_id"] = p.video_id;
    e["question"] = q.question;
    e["question_wo_referring_query"] = q.question_wo_referring_query;
    e["candidates"] = q.candidates;
    e["correct_choice"] = q.correct_choice;
    e["position"] = q.position;
    e["topic_category"] = p.topic_category;
    e["question_category"] = q.question_category;
    e["level"] = q.level;
    e["id"] = p.video_id + "_" + std::to_string(k);
    e["video_path"] = p.video_id + ".mp4";
    e["subtitle_path"] = p.video_id + "_en.json";
    e["duration_group"] = p.duration_group;
    e["starting_timestamp_for_subtitles"] = p.subtitle_offset_s;
    e["duration"] = static_cast<double>(p.seconds);
    e["view_count"] = p.view_count;
    entries.push_back(e);
  }
}

ordered_json video_info_json(const SyntheticVideoPlan& p, const std::string& codec) {
  ordered_json v;
  v["video_id"] = p.video_id;
  v["duration_group"] = p.duration_group;
  v["seconds"] = p.seconds;
  v["fps"] = p.fps;
  v["width"] = p.width;
  v["height"] = p.height;
  v["gop"] = p.gop;
  v["scene_s"] = p.scene_s;
  v["codec"] = codec;
  v["subtitle_schema"] = p.timestamp_schema ? "timestamp/text" : "start/end/line";
  return v;
}

}  // namespace

SyntheticLvbSummary make_synthetic_lvb(const std::string& dir, int num_videos, uint64_t seed) {
  if (num_videos < 1) throw std::invalid_argument("make_synthetic_lvb: num_videos must be >= 1 (got " + std::to_string(num_videos) + ")");
  const fs::path root(dir);
  fs::create_directories(root / "videos");
  fs::create_directories(root / "subtitles");
  SyntheticLvbSummary summary;
  summary.dir = dir;
  summary.seed = seed;
  ordered_json entries = ordered_json::array();
  ordered_json videos = ordered_json::array();
  std::set<std::string> ids;
  for (int i = 0; i < num_videos; ++i) {
    const SyntheticVideoPlan p = plan_synthetic_video(seed, i);
    if (!ids.insert(p.video_id).second)  // 62^11 ids: a collision means a broken random stream
      throw std::runtime_error("make_synthetic_lvb: duplicate video id " + p.video_id);
    const fs::path video = root / "videos" / (p.video_id + ".mp4");
    const fs::path subs = root / "subtitles" / (p.video_id + "_en.json");
    summary.codec = write_synthetic_video(p, video.string());
    write_json(subs, subtitles_json(p));
    append_entries(p, entries);
    videos.push_back(video_info_json(p, summary.codec));
    summary.video_ids.push_back(p.video_id);
    summary.questions += static_cast<int>(p.questions.size());
    summary.bytes += fs::file_size(video) + fs::file_size(subs);
  }
  write_json(root / "lvb_val.json", entries);
  ordered_json info;
  info["generator"] = "pevlm make-synthetic-lvb (datasets/synthetic)";
  info["seed"] = seed;
  info["num_videos"] = num_videos;
  info["codec"] = summary.codec;
  info["libavcodec"] = LIBAVCODEC_IDENT;
  info["libavformat"] = LIBAVFORMAT_IDENT;
  info["videos"] = videos;
  write_json(root / "synthetic_info.json", info);
  summary.bytes += fs::file_size(root / "lvb_val.json");
  return summary;
}

}  // namespace pevlm::synthetic
