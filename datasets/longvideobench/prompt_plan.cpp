// Frames and prompt pieces per protocol (see prompt_plan.h).
#include "datasets/longvideobench/prompt_plan.h"

#include <cmath>
#include <stdexcept>

#include "datasets/longvideobench/frame_sampling.h"

namespace pevlm::lvb {
namespace {

[[noreturn]] void fail(const Sample& s, const Protocol& p, const std::string& what) {
  throw std::invalid_argument("sample \"" + s.id + "\" (protocol " + p.name + ", video '" + s.video_file.string() +
                              "'): " + what);
}

void check_probe(const Sample& s, const Protocol& p, const VideoProbe& probe) {
  if (!(probe.fps > 0.0) || !std::isfinite(probe.fps)) {
    fail(s, p, "video probe: fps must be positive, got " + std::to_string(probe.fps));
  }
  if (probe.frame_count < 1) {
    fail(s, p, "video probe: no frames (frame_count " + std::to_string(probe.frame_count) + ")");
  }
}

// The reference would fail to decode these (decord get_batch out of range): say why.
void check_in_video(const Sample& s, const Protocol& p, const VideoProbe& probe,
                    const std::vector<int64_t>& indices) {
  for (int64_t i : indices) {
    if (i < 0 || i >= probe.frame_count) {
      fail(s, p, "frame index " + std::to_string(i) + " is past the video's " +
                     std::to_string(probe.frame_count) + " frames (annotation duration " +
                     std::to_string(s.duration) + " s x fps " + std::to_string(probe.fps) + ")");
    }
  }
}

std::vector<PromptPiece> frames_only(size_t n) {
  std::vector<PromptPiece> pieces(n);
  for (size_t i = 0; i < n; ++i) pieces[i].frame = static_cast<int>(i);
  return pieces;
}

std::vector<PromptPiece> to_pieces(const std::vector<InterleavedItem>& items, int& lines) {
  std::vector<PromptPiece> pieces;
  lines = 0;
  for (const auto& it : items) {
    if (it.is_frame) {
      pieces.push_back({PromptPiece::Kind::Frame, it.frame, {}});
    } else {
      pieces.push_back({PromptPiece::Kind::Text, -1, it.text});
      ++lines;
    }
  }
  return pieces;
}

const std::vector<Subtitle>& need_subtitles(const Sample& s, const Protocol& p,
                                            const std::vector<Subtitle>* subtitles) {
  if (subtitles == nullptr) {
    fail(s, p, "this protocol interleaves subtitles but none were given (file " +
                   s.subtitle_file.string() + ")");
  }
  return *subtitles;
}

// official / lmms_val_i: the official strided sampler on the annotation's duration.
void plan_strided(const Protocol& p, const Sample& s, const VideoProbe& probe,
                  const std::vector<Subtitle>* subtitles, PromptPlan& plan) {
  try {
    plan.frame_indices = official_frame_indices(s.duration, probe.fps, p.max_num_frames);
  } catch (const std::invalid_argument& e) {
    fail(s, p, e.what());
  }
  check_in_video(s, p, probe, plan.frame_indices);
  plan.decoded_frames = static_cast<int64_t>(plan.frame_indices.size());
  for (int64_t i : plan.frame_indices) plan.frame_timestamps.push_back(static_cast<double>(i) / probe.fps);
  if (!p.subtitles) {
    plan.pieces = frames_only(plan.frame_indices.size());
    return;
  }
  const auto& subs = need_subtitles(s, p, subtitles);
  // official: real frame times; lmms_val_i: compute_frame_timestamps (same count, see header).
  plan.subtitle_clock = p.name == "official" ? plan.frame_timestamps
                                             : lmms_compute_frame_timestamps(s.duration, p.max_num_frames);
  if (plan.subtitle_clock.size() != plan.frame_indices.size()) {
    fail(s, p, "subtitle clock has " + std::to_string(plan.subtitle_clock.size()) + " entries for " +
                   std::to_string(plan.frame_indices.size()) + " frames");
  }
  plan.pieces = to_pieces(interleave_subtitles(plan.subtitle_clock, subs,
                                               s.starting_timestamp_for_subtitles, s.duration),
                          plan.subtitle_lines);
}

// lmms_val_v: qwen-vl-utils fps decode + lmms-eval subsample on the probed container.
void plan_fps(const Protocol& p, const Sample& s, const VideoProbe& probe, PromptPlan& plan) {
  QwenFpsSampling q;
  try {
    q = qwen_fps_sampling(probe.frame_count, probe.fps, p.fps, p.min_frames, p.max_frames,
                          p.max_num_frames, p.deduplicate);
  } catch (const std::invalid_argument& e) {
    fail(s, p, e.what());
  }
  plan.frame_indices = q.indices;
  plan.decoded_frames = q.decoded_frames;
  plan.sample_fps = q.sample_fps;
  for (int64_t i : plan.frame_indices) plan.frame_timestamps.push_back(static_cast<double>(i) / probe.fps);
  plan.pieces = frames_only(plan.frame_indices.size());
  plan.max_pixels = video_max_pixels(p, q.decoded_frames);
}

}  // namespace

std::string option_letter(int i) {
  if (i < 0 || i >= 26) throw std::invalid_argument("option index out of range: " + std::to_string(i));
  return std::string(1, static_cast<char>('A' + i));
}

std::string format_question(const Protocol& p, const Sample& s) {
  std::string options;
  for (size_t i = 0; i < s.candidates.size(); ++i) {
    options += (i ? "\n" : "") + option_letter(static_cast<int>(i)) + ". " + s.candidates[i];
  }
  if (p.name == "official") {  // inputs += ["Question: " + q] + ["A. c", ...] + [instruction]
    return "Question: " + s.question + "\n" + options + "\n" + p.post_prompt;
  }
  return s.question + "\n" + options + "\n" + p.post_prompt;
}

std::string sample_problem(const Protocol& p, const Sample& s) {
  std::string out;
  if (s.video_missing) out = "video file not found: " + s.video_file.string();
  if (p.subtitles && s.subtitle_missing) {
    out += (out.empty() ? "" : "; ") + std::string("subtitle file not found: ") + s.subtitle_file.string();
  }
  return out;
}

PromptPlan build_prompt_plan(const Protocol& p, const Sample& s, const VideoProbe& probe,
                             const std::vector<Subtitle>* subtitles) {
  check_probe(s, p, probe);
  PromptPlan plan;
  plan.protocol = p.name;
  plan.frames_as_video = p.frames_as_video;
  plan.min_pixels = p.min_pixels;
  plan.max_pixels = static_cast<double>(p.max_pixels);
  plan.second_per_grid_ts = p.second_per_grid_ts;
  plan.system_prompt = p.system_prompt;
  if (p.name == "lmms_val_v" || p.name == "caption") {
    plan_fps(p, s, probe, plan);
  } else {
    plan_strided(p, s, probe, subtitles, plan);
  }
  const bool interleaved = p.subtitles;
  plan.separator = (p.name == "official" || interleaved) ? "\n" : "";
  if (p.open_ended) {  // caption: the prompt replaces question + options + instruction
    plan.question_text = p.pre_prompt + p.prompt;
    return plan;
  }
  const std::string question = format_question(p, s);
  if (p.name != "official" && interleaved) {
    plan.pre_video_text = p.pre_prompt;  // f"{pre_prompt}{interleaved}\n{question}\n{post}"
    plan.question_text = question;
  } else if (p.name != "official") {
    plan.question_text = p.pre_prompt + question;  // f"{pre_prompt}{question}\n{post}"
  } else {
    plan.question_text = question;
  }
  return plan;
}

std::string PromptPlan::render(const std::string& frame_placeholder) const {
  std::string out = pre_video_text;
  for (size_t i = 0; i < pieces.size(); ++i) {
    if (i) out += separator;
    out += pieces[i].kind == PromptPiece::Kind::Frame ? frame_placeholder : pieces[i].text;
  }
  if (!pieces.empty()) out += separator;
  return out + question_text;
}

nlohmann::json PromptPlan::to_json() const {
  nlohmann::json pieces_json = nlohmann::json::array();
  for (const auto& piece : pieces) {
    if (piece.kind == PromptPiece::Kind::Frame) {
      pieces_json.push_back({{"frame", piece.frame}});
    } else {
      pieces_json.push_back({{"text", piece.text}});
    }
  }
  return {{"protocol", protocol},           {"frame_indices", frame_indices},
          {"frame_timestamps", frame_timestamps}, {"subtitle_clock", subtitle_clock},
          {"decoded_frames", decoded_frames}, {"sample_fps", sample_fps},
          {"frames_as_video", frames_as_video}, {"min_pixels", min_pixels},
          {"max_pixels", max_pixels},         {"second_per_grid_ts", second_per_grid_ts},
          {"system_prompt", system_prompt},   {"pre_video_text", pre_video_text},
          {"pieces", pieces_json},            {"separator", separator},
          {"question_text", question_text},   {"subtitle_lines", subtitle_lines},
          {"assistant_prefix", assistant_prefix}};
}

}  // namespace pevlm::lvb
