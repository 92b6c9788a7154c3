// LongVideoBench evaluation protocols as named, selectable, self-describing objects
// (library pevlm_lvb, torch-free). A Protocol holds every parameter that changes what the model
// sees or how its answer is scored; to_json() goes into every result row.
//
// Protocols (../shared/reference/longvideobench.md, "Protocols"):
//  - "official":   LongVideoBench longvideobench_dataset.py: max_num_frames uniformly strided
//                  frames at the container's average fps, subtitles interleaved, prompt
//                  "Question: ..." / "A. ..." / "Answer with the option's letter ...".
//  - "lmms_val_v": lmms-eval longvideobench_val_v with its Qwen2.5-VL adapter (the default for
//                  Qwen2.5-VL): qwen-vl-utils decode at `fps` (2), subsample to max_num_frames
//                  (32), no subtitles, min/max pixels 256*28*28 / 1605632, greedy, 32 new tokens.
//  - "lmms_val_i": lmms-eval longvideobench_val_i: 16 frames (official sampler) with subtitles
//                  interleaved as "<image>" / line pieces joined by "\n".
//  - "caption":    open-ended generation over the same videos (for decoders, ../shared/reference/
//                  decode_side.md): lmms_val_v's frames and pixels, the prompt `prompt` (default
//                  "Please provide a detailed description of the video.", as SpecVLM) instead of the
//                  question and options, 256 new tokens; rows carry the text and token count, no score.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace pevlm::lvb {

// The lmms-eval / LongVideoBench instruction after the options.
inline constexpr const char* kAnswerInstruction =
    "Answer with the option's letter from the given choices directly.";

// The caption protocol's default prompt (SpecVLM's open-ended prompt).
inline constexpr const char* kCaptionPrompt = "Please provide a detailed description of the video.";

struct Protocol {
  std::string name;  // "official" | "lmms_val_v" | "lmms_val_i" | "caption"
  // caption: no options, no answer parsing, no accuracy (fixed by the name).
  bool open_ended = false;

  // --- frames ---
  // official / lmms_val_i: n = min(max_num_frames, int(duration)) strided frames;
  // lmms_val_v: the lmms-eval adapter's subsample count (0 = keep every decoded frame).
  int max_num_frames = 0;
  double fps = 0.0;               // lmms_val_v: qwen-vl-utils sampling rate (FPS = 2.0)
  int min_frames = 4;             // lmms_val_v: qwen-vl-utils FPS_MIN_FRAMES
  int max_frames = 768;           // lmms_val_v: qwen-vl-utils FPS_MAX_FRAMES
  bool deduplicate = false;       // lmms_val_v: drop repeated subsample positions (not lmms-eval)
  bool subtitles = false;         // interleave subtitle lines between frames
  // How the reference hands frames to Qwen2.5-VL: lmms_val_v as one video (2 frames per
  // temporal grid step); official and lmms_val_i as a list of images (fixed by the name).
  bool frames_as_video = false;

  // Rotate frames by the video's display matrix (phone videos) as players do. Off by default, as in
  // the reference loaders (decord, qwen-vl-utils' torchvision/decord readers ignore the matrix);
  // every row records the video's rotation either way (rotation_deg, rotation_applied).
  bool apply_rotation = false;

  // --- Qwen2.5-VL vision input (lmms-eval adapter arguments) ---
  int64_t min_pixels = 256 * 28 * 28;  // per frame
  int64_t max_pixels = 1605632;        // per frame, as passed by lmms-eval
  // lmms_val_v: qwen-vl-utils >= 0.0.11 caps a video's max_pixels at
  // max(min(768*28*28, video_total_pixels / nframes * 2), int(min_pixels * 1.05)); older
  // releases (and the reference doc) use max_pixels as given. See video_max_pixels().
  bool cap_video_pixels = false;
  int64_t video_total_pixels = 90316800;  // qwen-vl-utils VIDEO_TOTAL_PIXELS (128000*28*28*0.9)
  double second_per_grid_ts = 1.0;         // lmms-eval passes no fps to the processor

  // --- prompt (lmms-eval task yaml / adapter defaults) ---
  std::string system_prompt = "You are a helpful assistant.";
  std::string pre_prompt;   // lmms-eval pre_prompt ("")
  std::string post_prompt;  // lmms-eval post_prompt (instruction + "\n"); official: instruction
  std::string prompt;       // caption: the whole user text after the video (pre_prompt + prompt)

  // --- generation and scoring ---
  int max_new_tokens = 32;    // greedy decoding
  uint64_t fallback_seed = 0; // seed of the random letter when no answer parses (answer.h)

  // Every parameter of this protocol (only the keys valid for its name) plus "name".
  nlohmann::json to_json() const;
};

// The protocol names, default first for Qwen2.5-VL: {"lmms_val_v", "lmms_val_i", "official", "caption"}.
const std::vector<std::string>& protocol_names();

// The keys make_protocol accepts for `name` (throws on an unknown name).
std::vector<std::string> protocol_keys(const std::string& name);

// The protocol `name` with its reference defaults, then `overrides` (a JSON object of keys from
// protocol_keys(name)) applied and validated. Throws std::invalid_argument for an unknown name
// (listing the valid names), an unknown key (listing the valid keys), a wrong type or a value
// out of range, naming the protocol and key.
Protocol make_protocol(const std::string& name,
                       const nlohmann::json& overrides = nlohmann::json::object());

// Rebuilds a protocol from its to_json() (name + keys); the inverse used when reading results.
Protocol protocol_from_json(const nlohmann::json& j);

// The per-frame max_pixels qwen-vl-utils applies to a video of `decoded_frames` frames under
// this protocol (see cap_video_pixels).
// this protocol (see cap_video_pixels). A double because qwen-vl-utils computes it in floats and
// smart_resize compares / divides by it unrounded.
double video_max_pixels(const Protocol& protocol, int64_t decoded_frames);

}  // namespace pevlm::lvb
