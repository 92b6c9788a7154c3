// FramesCache; see frames_cache.h. Same file scheme as the embedding cache (embedding_cache.cpp).
#include "harness/eval/frames_cache.h"

#include <ATen/ATen.h>

#include "harness/eval/cache_key.h"
#include "models/safetensors/safetensors.h"
#include "models/safetensors/torch_tensor.h"

namespace pevlm {

nlohmann::json CachedProbe::to_json() const {
  return {{"fps", fps},     {"duration_s", duration_s}, {"frame_count", frame_count}, {"codec", codec},
          {"width", width}, {"height", height},         {"rotation_deg", rotation_deg}};
}

CachedProbe CachedProbe::from_json(const nlohmann::json& j) {
  CachedProbe p;
  p.fps = j.at("fps").get<double>();
  p.duration_s = j.at("duration_s").get<double>();
  p.frame_count = j.at("frame_count").get<int64_t>();
  p.codec = j.at("codec").get<std::string>();
  p.width = j.at("width").get<int>();
  p.height = j.at("height").get<int>();
  p.rotation_deg = j.at("rotation_deg").get<int>();
  return p;
}

std::filesystem::path FramesCache::file_for(const nlohmann::json& key) const { return cache_file(dir_, "frames-", key); }

std::optional<FramesCache::Entry> FramesCache::get(const nlohmann::json& key) const {
  const auto path = file_for(key);
  if (!std::filesystem::exists(path)) return std::nullopt;
  try {
    auto file = safetensors::SafetensorsFile::open(path.string());
    const auto& meta = file.metadata();
    auto it = meta.find("key");
    if (it == meta.end() || it->second != key.dump()) return std::nullopt;  // a hash collision, never the wrong video
    Entry e;
    e.probe = CachedProbe::from_json(nlohmann::json::parse(meta.at("probe")));
    e.frame_indices = nlohmann::json::parse(meta.at("frame_indices")).get<std::vector<int64_t>>();
    e.decode_ms = std::stod(meta.at("decode_ms"));
    e.frames_THWC = safetensors::to_tensor_copy(file.get("frames"));
    if (e.frames_THWC.dim() != 4 || e.frames_THWC.size(0) != int64_t(e.frame_indices.size()) ||
        e.frames_THWC.size(3) != 3 || e.frames_THWC.scalar_type() != at::kByte)
      throw std::runtime_error("frames tensor " + c10::str(e.frames_THWC.sizes()) + " does not hold " +
                               std::to_string(e.frame_indices.size()) + " uint8 RGB frames");
    return e;
  } catch (const std::exception& ex) {
    throw std::runtime_error("frames cache entry " + path.string() + " is damaged: " + ex.what() + " (delete it to redecode)");
  }
}

void FramesCache::put(const nlohmann::json& key, const Entry& e) const {
  std::filesystem::create_directories(dir_);
  safetensors::SafetensorsWriter writer;
  safetensors::add_tensor(writer, "frames", e.frames_THWC.contiguous());
  writer.write(file_for(key).string(), {{"key", key.dump()},
                                        {"probe", e.probe.to_json().dump()},
                                        {"frame_indices", nlohmann::json(e.frame_indices).dump()},
                                        {"decode_ms", std::to_string(e.decode_ms)}});
}

}  // namespace pevlm
