// On-disk cache of a sample's decoded frames (issue 10): uint8 RGB frames in the protocol's order plus
// what the protocol needed from the container (fps, frame count, duration, codec, size, rotation), so
// an eval can run where FFmpeg is missing or slow -- GPU nodes with weak CPUs, or a PEVLM_WITH_FFMPEG=OFF
// build -- from frames decoded once elsewhere: `pevlm eval --frames-cache DIR` reads an entry when it
// exists and, where FFmpeg exists, writes one after decoding. Keyed by the annotation's video_path
// (relative, so a cache moves between machines) and the protocol -- the questions of a video share an
// entry; one safetensors file per entry, the key stored inside and checked on read.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>

namespace pevlm {

// The container facts a protocol's frame plan depends on (video::VideoInfo's, serialisable).
struct CachedProbe {
  double fps = 0, duration_s = 0;
  int64_t frame_count = 0;
  std::string codec;
  int width = 0, height = 0, rotation_deg = 0;
  nlohmann::json to_json() const;
  static CachedProbe from_json(const nlohmann::json& j);
};

class FramesCache {
 public:
  explicit FramesCache(std::filesystem::path dir) : dir_(std::move(dir)) {}
  struct Entry {
    CachedProbe probe;
    std::vector<int64_t> frame_indices;  // the plan's frame indices, in order (the frames' order)
    at::Tensor frames_THWC;              // uint8 [T, H, W, 3]
    double decode_ms = 0;                // how long decoding took where the entry was written
  };
  std::optional<Entry> get(const nlohmann::json& key) const;
  // Atomically (temporary file + rename).
  void put(const nlohmann::json& key, const Entry& entry) const;
  std::filesystem::path file_for(const nlohmann::json& key) const;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

}  // namespace pevlm
