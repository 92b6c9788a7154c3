// The protocol of a multiple-choice video benchmark (Video-MME, MLVU, LVBench) as one explicit,
// named, recorded object (library pevlm_dataset, torch-free; issue 24 item 6). Every parameter that
// changes what the model sees or how its answer is scored is a key; to_json() goes into every row.
// Each benchmark defines its named protocols as defaults of this struct (datasets/<benchmark>/); a
// card (configs/protocols/*.yaml) or a config names one and may override keys.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pevlm::datasets {

struct McProtocol {
  std::string benchmark;  // "videomme" | "mlvu" | "lvbench"
  std::string name;       // the benchmark's protocol name ("official", "lmms", ...)

  // --- frames ---
  // "qwen_fps": qwen-vl-utils decode at `fps` within [min_frames, max_frames], then lmms-eval's Qwen2.5-VL
  //   adapter subsample to max_num_frames (lvb::qwen_fps_sampling; the lmms-eval default for Qwen2.5-VL).
  // "uniform": max_num_frames frames np.linspace(0, frame_count - 1, max_num_frames, dtype=int) over the
  //   whole video (lmms-eval's llava_vid / uniform samplers; repeats when the video is shorter).
  std::string sampler = "qwen_fps";
  double fps = 2.0;
  int max_num_frames = 32;
  int min_frames = 4;
  int max_frames = 768;
  bool deduplicate = false;
  bool frames_as_video = true;  // one video chunk (Qwen2.5-VL temporal pairs) rather than images
  bool apply_rotation = false;

  // --- pixels (Qwen2.5-VL smart_resize limits, as lmms-eval's adapter passes them) ---
  int64_t min_pixels = 256 * 28 * 28;
  int64_t max_pixels = 1605632;
  bool cap_video_pixels = false;
  int64_t video_total_pixels = 90316800;
  double second_per_grid_ts = 1.0;

  // --- prompt ---
  std::string system_prompt = "You are a helpful assistant.";
  std::string pre_prompt;        // before the benchmark's question block
  std::string post_prompt;       // the benchmark's instruction after the options (style-specific)
  std::string assistant_prefix;  // the assistant turn starts with this (MLVU official "Best Option: (")
  std::string chat_template = "model";  // the model's own chat template (the only one supported)

  // --- subtitles (Video-MME) ---
  // "none"; "sampled_frames": the cues whose time span holds one of the frames the model actually
  // samples (Video-MME's official rule); "lmms_frame_num": lmms-eval videomme_w_subtitle's cues for
  // subtitle_frame_num frames np.linspace(0, total - 1, n, dtype=int), independent of the model's frames.
  std::string subtitles = "none";
  int subtitle_frame_num = 32;

  // --- decoding and scoring ---
  int max_new_tokens = 16;         // greedy
  std::string extractor;           // datasets/answers variant name (answer_extractors())

  nlohmann::json to_json() const;
};

// The keys a card or config may set (everything but benchmark and name).
const std::vector<std::string>& mc_protocol_keys();

// `defaults` with `overrides` (a JSON object of mc_protocol_keys(); "name"/"benchmark" ignored when they
// match) applied and validated. Throws std::invalid_argument naming `who`, the key and what was expected
// (unknown keys list the valid ones).
McProtocol apply_mc_overrides(McProtocol defaults, const nlohmann::json& overrides, const std::string& who);

}  // namespace pevlm::datasets
