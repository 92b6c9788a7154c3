// Protocol registry, defaults, overrides and validation (see protocol.h).
#include "datasets/longvideobench/protocol.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <variant>

namespace pevlm::lvb {
namespace {

using Member = std::variant<int Protocol::*, int64_t Protocol::*, uint64_t Protocol::*,
                            double Protocol::*, bool Protocol::*, std::string Protocol::*>;

struct KeySpec {
  const char* key;
  Member member;
};

// Every configurable key; which ones a protocol accepts is keys_of() below.
const std::vector<KeySpec>& all_keys() {
  static const std::vector<KeySpec> kKeys = {
      {"max_num_frames", &Protocol::max_num_frames},
      {"fps", &Protocol::fps},
      {"min_frames", &Protocol::min_frames},
      {"max_frames", &Protocol::max_frames},
      {"deduplicate", &Protocol::deduplicate},
      {"subtitles", &Protocol::subtitles},
      {"min_pixels", &Protocol::min_pixels},
      {"max_pixels", &Protocol::max_pixels},
      {"cap_video_pixels", &Protocol::cap_video_pixels},
      {"video_total_pixels", &Protocol::video_total_pixels},
      {"second_per_grid_ts", &Protocol::second_per_grid_ts},
      {"system_prompt", &Protocol::system_prompt},
      {"pre_prompt", &Protocol::pre_prompt},
      {"post_prompt", &Protocol::post_prompt},
      {"prompt", &Protocol::prompt},
      {"max_new_tokens", &Protocol::max_new_tokens},
      {"fallback_seed", &Protocol::fallback_seed},
      {"apply_rotation", &Protocol::apply_rotation},
  };
  return kKeys;
}

std::vector<std::string> keys_of(const std::string& name) {
  if (name == "official") {
    return {"max_num_frames", "subtitles", "min_pixels", "max_pixels", "system_prompt",
            "post_prompt", "max_new_tokens", "fallback_seed", "apply_rotation"};
  }
  if (name == "lmms_val_v") {
    return {"fps", "max_num_frames", "min_frames", "max_frames", "deduplicate", "min_pixels",
            "max_pixels", "cap_video_pixels", "video_total_pixels", "second_per_grid_ts",
            "system_prompt", "pre_prompt", "post_prompt", "max_new_tokens", "fallback_seed", "apply_rotation"};
  }
  if (name == "lmms_val_i") {
    return {"max_num_frames", "subtitles", "min_pixels", "max_pixels", "system_prompt",
            "pre_prompt", "post_prompt", "max_new_tokens", "fallback_seed", "apply_rotation"};
  }
  if (name == "caption") {
    return {"fps", "max_num_frames", "min_frames", "max_frames", "deduplicate", "min_pixels",
            "max_pixels", "cap_video_pixels", "video_total_pixels", "second_per_grid_ts",
            "system_prompt", "pre_prompt", "prompt", "max_new_tokens", "apply_rotation"};
  }
  std::string valid;
  for (const auto& n : protocol_names()) valid += (valid.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown LongVideoBench protocol \"" + name + "\"; valid: " + valid);
}

const KeySpec& spec_of(const std::string& key) {
  for (const auto& s : all_keys()) {
    if (key == s.key) return s;
  }
  throw std::logic_error("protocol key table lacks " + key);
}

[[noreturn]] void bad_value(const Protocol& p, const std::string& key, const std::string& what) {
  throw std::invalid_argument("protocol \"" + p.name + "\": key \"" + key + "\": " + what);
}

// Assigns one JSON value to its member, checking the JSON type.
void assign(Protocol& p, const std::string& key, const nlohmann::json& v) {
  std::visit(
      [&](auto member) {
        using T = std::remove_reference_t<decltype(p.*member)>;
        if constexpr (std::is_same_v<T, bool>) {
          if (!v.is_boolean()) bad_value(p, key, "expected true or false, got " + v.dump());
        } else if constexpr (std::is_same_v<T, std::string>) {
          if (!v.is_string()) bad_value(p, key, "expected a string, got " + v.dump());
        } else if constexpr (std::is_same_v<T, double>) {
          if (!v.is_number()) bad_value(p, key, "expected a number, got " + v.dump());
        } else if constexpr (std::is_same_v<T, uint64_t>) {
          if (!v.is_number_integer() || (!v.is_number_unsigned() && v.get<int64_t>() < 0)) {
            bad_value(p, key, "expected a non-negative integer, got " + v.dump());
          }
        } else {  // int or int64_t
          if (!v.is_number_integer()) bad_value(p, key, "expected an integer, got " + v.dump());
          const bool too_big = v.is_number_unsigned() &&
                               v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<T>::max());
          const int64_t x = too_big ? 0 : v.get<int64_t>();
          if (too_big || x < std::numeric_limits<T>::min() || x > std::numeric_limits<T>::max()) {
            bad_value(p, key, "integer out of range: " + v.dump());
          }
        }
        p.*member = v.get<T>();
      },
      spec_of(key).member);
}

void require(bool ok, const Protocol& p, const std::string& key, const std::string& what) {
  if (!ok) bad_value(p, key, what);
}

// Range checks after overrides (values the references would reject or divide by).
void validate(const Protocol& p) {
  const bool strided = p.name != "lmms_val_v" && p.name != "caption";
  require(strided ? p.max_num_frames >= 1 : p.max_num_frames >= 0, p, "max_num_frames",
          strided ? "expected >= 1, got " + std::to_string(p.max_num_frames)
                  : "expected >= 0 (0 = keep every decoded frame), got " + std::to_string(p.max_num_frames));
  if (!strided) {
    require(p.fps > 0 && std::isfinite(p.fps), p, "fps", "expected a positive number, got " + std::to_string(p.fps));
    require(p.min_frames >= 1, p, "min_frames", "expected >= 1, got " + std::to_string(p.min_frames));
    require(p.max_frames >= 2, p, "max_frames", "expected >= 2, got " + std::to_string(p.max_frames));
    require(p.video_total_pixels > 0, p, "video_total_pixels", "expected > 0");
    require(p.second_per_grid_ts > 0, p, "second_per_grid_ts", "expected > 0");
  }
  require(p.min_pixels >= 1, p, "min_pixels", "expected >= 1, got " + std::to_string(p.min_pixels));
  require(p.max_pixels >= p.min_pixels, p, "max_pixels",
          "expected >= min_pixels (" + std::to_string(p.min_pixels) + "), got " + std::to_string(p.max_pixels));
  require(p.max_new_tokens >= 1, p, "max_new_tokens", "expected >= 1, got " + std::to_string(p.max_new_tokens));
}

Protocol defaults(const std::string& name) {
  keys_of(name);  // throws on an unknown name
  Protocol p;
  p.name = name;
  const std::string instruction = kAnswerInstruction;
  if (name == "official") {
    p.max_num_frames = 256;  // LongVideoBenchDataset(max_num_frames=256)
    p.subtitles = true;      // insert_text=True
    p.post_prompt = instruction;
  } else if (name == "lmms_val_v" || name == "caption") {
    p.max_num_frames = 32;  // lmms-eval Qwen2_5_VL(max_num_frames=32)
    p.fps = 2.0;            // qwen-vl-utils FPS
    p.frames_as_video = true;
    if (name == "caption") {
      p.open_ended = true;
      p.prompt = kCaptionPrompt;
      p.max_new_tokens = 256;  // SpecVLM / ParallelVLM measure 256-512 new tokens
    } else {
      p.post_prompt = instruction + "\n";  // longvideobench_val_v.yaml
    }
  } else {
    p.max_num_frames = 16;  // longvideobench_val_i: dataset_kwargs max_num_frames default 16
    p.subtitles = true;     // insert_interleave_subtitles: True
    p.post_prompt = instruction + "\n";  // longvideobench_val_i.yaml
  }
  return p;
}

}  // namespace

const std::vector<std::string>& protocol_names() {
  static const std::vector<std::string> kNames = {"lmms_val_v", "lmms_val_i", "official", "caption"};
  return kNames;
}

std::vector<std::string> protocol_keys(const std::string& name) { return keys_of(name); }

Protocol make_protocol(const std::string& name, const nlohmann::json& overrides) {
  Protocol p = defaults(name);
  if (overrides.is_null()) return p;
  if (!overrides.is_object()) {
    throw std::invalid_argument("protocol \"" + name + "\": overrides must be a JSON object, got " +
                                overrides.dump());
  }
  const std::vector<std::string> keys = keys_of(name);
  for (const auto& [key, value] : overrides.items()) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      std::string valid;
      for (const auto& k : keys) valid += (valid.empty() ? "" : ", ") + k;
      throw std::invalid_argument("protocol \"" + name + "\": unknown key \"" + key +
                                  "\"; valid keys: " + valid);
    }
    assign(p, key, value);
  }
  validate(p);
  return p;
}

nlohmann::json Protocol::to_json() const {
  nlohmann::json j = {{"name", name}};
  for (const auto& key : keys_of(name)) {
    std::visit([&](auto member) { j[key] = this->*member; }, spec_of(key).member);
  }
  j["frames_as_video"] = frames_as_video;
  if (open_ended) j["open_ended"] = true;
  return j;
}

Protocol protocol_from_json(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("name") || !j["name"].is_string()) {
    throw std::invalid_argument("protocol JSON: expected an object with a string \"name\", got " + j.dump());
  }
  nlohmann::json overrides = j;
  overrides.erase("name");
  overrides.erase("frames_as_video");  // derived from the name
  overrides.erase("open_ended");
  return make_protocol(j["name"].get<std::string>(), overrides);
}

double video_max_pixels(const Protocol& p, int64_t decoded_frames) {
  const double given = static_cast<double>(p.max_pixels);
  if (!p.cap_video_pixels) return given;
  if (decoded_frames < 1) {
    throw std::invalid_argument("video_max_pixels: decoded_frames: expected >= 1, got " +
                                std::to_string(decoded_frames));
  }
  // qwen-vl-utils fetch_video: VIDEO_MAX_PIXELS = 768*28*28, FRAME_FACTOR = 2.
  const double cap = std::max(std::min(768.0 * 28 * 28, static_cast<double>(p.video_total_pixels) /
                                                            static_cast<double>(decoded_frames) * 2),
                              static_cast<double>(static_cast<int64_t>(p.min_pixels * 1.05)));
  return std::min(given, cap);
}

}  // namespace pevlm::lvb
