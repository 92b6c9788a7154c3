// Keys, overrides and validation of McProtocol (see mc_protocol.h).
#include "datasets/dataset/mc_protocol.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <variant>

#include "datasets/answers/answer_extractor.h"

namespace pevlm::datasets {
namespace {

using Member = std::variant<int McProtocol::*, int64_t McProtocol::*, double McProtocol::*, bool McProtocol::*,
                            std::string McProtocol::*>;
struct KeySpec {
  const char* key;
  Member member;
};

const std::vector<KeySpec>& key_specs() {
  static const std::vector<KeySpec> kKeys = {
      {"sampler", &McProtocol::sampler},
      {"fps", &McProtocol::fps},
      {"max_num_frames", &McProtocol::max_num_frames},
      {"min_frames", &McProtocol::min_frames},
      {"max_frames", &McProtocol::max_frames},
      {"deduplicate", &McProtocol::deduplicate},
      {"frames_as_video", &McProtocol::frames_as_video},
      {"apply_rotation", &McProtocol::apply_rotation},
      {"min_pixels", &McProtocol::min_pixels},
      {"max_pixels", &McProtocol::max_pixels},
      {"cap_video_pixels", &McProtocol::cap_video_pixels},
      {"video_total_pixels", &McProtocol::video_total_pixels},
      {"second_per_grid_ts", &McProtocol::second_per_grid_ts},
      {"system_prompt", &McProtocol::system_prompt},
      {"pre_prompt", &McProtocol::pre_prompt},
      {"post_prompt", &McProtocol::post_prompt},
      {"assistant_prefix", &McProtocol::assistant_prefix},
      {"chat_template", &McProtocol::chat_template},
      {"subtitles", &McProtocol::subtitles},
      {"subtitle_frame_num", &McProtocol::subtitle_frame_num},
      {"max_new_tokens", &McProtocol::max_new_tokens},
      {"extractor", &McProtocol::extractor},
  };
  return kKeys;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

[[noreturn]] void bad(const std::string& who, const std::string& key, const std::string& what) {
  throw std::invalid_argument(who + ": key \"" + key + "\": " + what);
}

void assign(McProtocol& p, const std::string& who, const KeySpec& spec, const nlohmann::json& v) {
  std::visit(
      [&](auto member) {
        using T = std::remove_reference_t<decltype(p.*member)>;
        if constexpr (std::is_same_v<T, bool>) {
          if (!v.is_boolean()) bad(who, spec.key, "expected true or false, got " + v.dump());
        } else if constexpr (std::is_same_v<T, std::string>) {
          if (!v.is_string()) bad(who, spec.key, "expected a string, got " + v.dump());
        } else if constexpr (std::is_same_v<T, double>) {
          if (!v.is_number()) bad(who, spec.key, "expected a number, got " + v.dump());
        } else {
          if (!v.is_number_integer()) bad(who, spec.key, "expected an integer, got " + v.dump());
          const bool too_big = v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(std::numeric_limits<T>::max());
          const int64_t x = too_big ? 0 : v.get<int64_t>();
          if (too_big || x < std::numeric_limits<T>::min() || x > std::numeric_limits<T>::max())
            bad(who, spec.key, "integer out of range: " + v.dump());
        }
        p.*member = v.get<T>();
      },
      spec.member);
}

void require(bool ok, const std::string& who, const std::string& key, const std::string& what) {
  if (!ok) bad(who, key, what);
}

void validate(const McProtocol& p, const std::string& who) {
  require(p.sampler == "qwen_fps" || p.sampler == "uniform", who, "sampler", "expected qwen_fps or uniform, got " + p.sampler);
  if (p.sampler == "qwen_fps") {
    require(p.fps > 0 && std::isfinite(p.fps), who, "fps", "expected a positive number");
    require(p.min_frames >= 1, who, "min_frames", "expected >= 1");
    require(p.max_frames >= 2, who, "max_frames", "expected >= 2");
    require(p.max_num_frames >= 0, who, "max_num_frames", "expected >= 0 (0 = every decoded frame)");
  } else {
    require(p.max_num_frames >= 1, who, "max_num_frames", "expected >= 1 with the uniform sampler");
  }
  require(p.min_pixels >= 1, who, "min_pixels", "expected >= 1");
  require(p.max_pixels >= p.min_pixels, who, "max_pixels", "expected >= min_pixels");
  require(p.video_total_pixels > 0, who, "video_total_pixels", "expected > 0");
  require(p.second_per_grid_ts > 0, who, "second_per_grid_ts", "expected > 0");
  require(p.chat_template == "model", who, "chat_template",
          "expected \"model\" (the model family's own template; no other is implemented), got \"" + p.chat_template + "\"");
  require(p.subtitles == "none" || p.subtitles == "sampled_frames" || p.subtitles == "lmms_frame_num", who, "subtitles",
          "expected none, sampled_frames or lmms_frame_num, got " + p.subtitles);
  require(p.subtitle_frame_num >= 1, who, "subtitle_frame_num", "expected >= 1");
  require(p.max_new_tokens >= 1, who, "max_new_tokens", "expected >= 1");
  try {
    answers::answer_extractor_from_name(p.extractor);
  } catch (const std::invalid_argument& e) {
    bad(who, "extractor", e.what());
  }
}

}  // namespace

const std::vector<std::string>& mc_protocol_keys() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> n;
    for (const auto& s : key_specs()) n.push_back(s.key);
    return n;
  }();
  return kNames;
}

nlohmann::json McProtocol::to_json() const {
  nlohmann::json j = {{"benchmark", benchmark}, {"name", name}};
  for (const auto& s : key_specs()) std::visit([&](auto member) { j[s.key] = this->*member; }, s.member);
  return j;
}

McProtocol apply_mc_overrides(McProtocol p, const nlohmann::json& overrides, const std::string& who) {
  if (!overrides.is_null() && !overrides.is_object())
    throw std::invalid_argument(who + ": protocol overrides must be a mapping, got " + overrides.dump());
  if (overrides.is_object()) {
    for (const auto& [key, value] : overrides.items()) {
      if (key == "name" || key == "benchmark") {
        if (!value.is_string() || value.get<std::string>() != (key == "name" ? p.name : p.benchmark))
          bad(who, key, "expected \"" + (key == "name" ? p.name : p.benchmark) + "\", got " + value.dump());
        continue;
      }
      const std::string name = key;  // clang < 16 cannot capture a structured binding
      const auto it = std::find_if(key_specs().begin(), key_specs().end(), [&](const KeySpec& s) { return name == s.key; });
      if (it == key_specs().end())
        throw std::invalid_argument(who + ": unknown key \"" + key + "\"; valid keys: " + joined(mc_protocol_keys()));
      assign(p, who, *it, value);
    }
  }
  validate(p, who);
  return p;
}

}  // namespace pevlm::datasets
