#include "harness/eval/sample_video.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>

#include "datasets/longvideobench/subtitles.h"
#include "datasets/video/video_reader.h"

namespace pevlm {
namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// Decodes each distinct index once and returns frames in plan order (indices may repeat):
// uint8 [T, H, W, 3].
at::Tensor decode_plan_frames(const std::string& path, const std::vector<int64_t>& indices, bool apply_rotation) {
  std::vector<int64_t> unique = indices;
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  video::DecodeOptions options;
  options.apply_rotation = apply_rotation;
  video::VideoFrames frames = video::decode_frames(path, unique, options);
  std::map<int64_t, size_t> slot;
  for (size_t i = 0; i < unique.size(); ++i) slot[unique[i]] = i;
  at::Tensor all = at::from_blob(frames.rgb_NHWC.data(), {int64_t(unique.size()), frames.height, frames.width, 3}, at::kByte);
  std::vector<int64_t> order;
  for (int64_t idx : indices) order.push_back(int64_t(slot.at(idx)));
  return all.index_select(0, at::tensor(order, at::kLong)).contiguous();  // copies out of `frames`
}

}  // namespace

// The frames depend on the video and the protocol only, not on the question: the questions of one
// video share an entry.
nlohmann::json frames_cache_key(const lvb::Sample& sample, const lvb::Protocol& protocol) {
  return {{"video_path", sample.video_path}, {"protocol", protocol.to_json()}};
}

at::Tensor decode_sample_frames(const lvb::Sample& sample, const lvb::Protocol& protocol, const FramesCache* frames_cache,
                                PreparedVideo& out) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::string path = sample.video_file.string();
  const nlohmann::json key = frames_cache_key(sample, protocol);
  std::optional<FramesCache::Entry> cached = frames_cache ? frames_cache->get(key) : std::nullopt;
  // Without a cached entry the video file itself is needed (a missing file is the sample's error).
  if (!cached)
    if (const std::string problem = lvb::sample_problem(protocol, sample); !problem.empty())
      throw std::runtime_error("sample " + sample.id + ": " + problem);
  CachedProbe info;
  if (cached) {
    info = cached->probe;
  } else {
    const video::VideoInfo v = video::probe(path);
    info = CachedProbe{v.fps, v.duration_s, v.frame_count, v.codec, v.width, v.height, v.rotation_deg};
  }
  out.codec = info.codec;
  out.width = info.width;
  out.height = info.height;
  out.rotation_deg = info.rotation_deg;
  out.duration_s = info.duration_s;
  out.rotation_applied = protocol.apply_rotation && info.rotation_deg != 0;
  std::vector<lvb::Subtitle> subs;
  if (protocol.subtitles) subs = lvb::load_subtitles(sample.subtitle_file);
  out.plan = lvb::build_prompt_plan(protocol, sample, lvb::VideoProbe{info.fps, info.frame_count, info.duration_s},
                                    protocol.subtitles ? &subs : nullptr);
  at::Tensor frames;
  if (cached) {
    if (cached->frame_indices != out.plan.frame_indices)
      throw std::runtime_error("sample " + sample.id + ": frames cache entry " + frames_cache->file_for(key).string() +
                               " holds other frames than the protocol plans now (stale entry: delete it)");
    frames = cached->frames_THWC;
    out.decode_video_ms = cached->decode_ms;  // latency figures keep the measured decode time
    out.frames_from_cache = true;
  } else {
    frames = decode_plan_frames(path, out.plan.frame_indices, protocol.apply_rotation);
    out.decode_video_ms = ms_since(t0);
    if (frames_cache)
      frames_cache->put(key, FramesCache::Entry{info, out.plan.frame_indices, frames, out.decode_video_ms});
  }
  out.frames = frames.size(0);
  return frames;
}

PreparedVideo prepare_video(const lvb::Sample& sample, const lvb::Protocol& protocol, const VideoLM& model,
                            const FramesCache* frames_cache) {
  PreparedVideo out;
  const at::Tensor frames = decode_sample_frames(sample, protocol, frames_cache, out);
  const auto t0 = std::chrono::steady_clock::now();
  out.input = model.prepare(frames, out.plan, out.duration_s);
  out.preprocess_ms = ms_since(t0);
  return out;
}

}  // namespace pevlm
