#include "harness/eval/sample_video.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <optional>

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
nlohmann::json frames_cache_key(const datasets::Sample& sample, const datasets::Benchmark& benchmark) {
  nlohmann::json key = {{"video_path", sample.video_path}, {"protocol", benchmark.protocol_json()}};
  // LongVideoBench keys stay as before the dataset interface (its video_path is relative to videos/).
  if (benchmark.name() != "longvideobench") key["benchmark"] = benchmark.name();
  return key;
}

CachedFrames frames_through_cache(const std::string& path, const nlohmann::json& key, const FramesCache* cache,
                                  bool apply_rotation, const std::function<std::vector<int64_t>(const CachedProbe&)>& plan_indices,
                                  const std::function<void()>& before_decoding, const std::string& who) {
  const auto t0 = std::chrono::steady_clock::now();
  std::optional<FramesCache::Entry> cached = cache ? cache->get(key) : std::nullopt;
  CachedFrames out;
  if (cached) {
    out.probe = cached->probe;
  } else {
    if (before_decoding) before_decoding();
    const video::VideoInfo v = video::probe(path);
    out.probe = CachedProbe{v.fps, v.duration_s, v.frame_count, v.codec, v.width, v.height, v.rotation_deg};
  }
  out.frame_indices = plan_indices(out.probe);
  if (cached) {
    if (cached->frame_indices != out.frame_indices)
      throw std::runtime_error(who + ": frames cache entry " + cache->file_for(key).string() +
                               " holds other frames than are planned now (stale entry: delete it)");
    out.frames_THWC = cached->frames_THWC;
    out.decode_ms = cached->decode_ms;  // latency figures keep the measured decode time
    out.from_cache = true;
  } else {
    out.frames_THWC = decode_plan_frames(path, out.frame_indices, apply_rotation);
    out.decode_ms = ms_since(t0);
    if (cache) cache->put(key, FramesCache::Entry{out.probe, out.frame_indices, out.frames_THWC, out.decode_ms});
  }
  return out;
}

at::Tensor decode_sample_frames(const datasets::Sample& sample, const datasets::Benchmark& benchmark,
                                const FramesCache* frames_cache, PreparedVideo& out) {
  const auto plan = [&](const CachedProbe& info) {
    out.codec = info.codec;
    out.width = info.width;
    out.height = info.height;
    out.rotation_deg = info.rotation_deg;
    out.duration_s = info.duration_s;
    out.rotation_applied = benchmark.apply_rotation() && info.rotation_deg != 0;
    out.plan = benchmark.plan(sample, lvb::VideoProbe{info.fps, info.frame_count, info.duration_s});
    return out.plan.frame_indices;
  };
  // Without a cached entry the video file itself is needed (a missing file is the sample's error).
  const auto decodable = [&] {
    if (const std::string problem = benchmark.sample_problem(sample); !problem.empty())
      throw std::runtime_error("sample " + sample.id + ": " + problem);
  };
  CachedFrames f = frames_through_cache(sample.video_file.string(), frames_cache_key(sample, benchmark), frames_cache,
                                        benchmark.apply_rotation(), plan, decodable, "sample " + sample.id);
  out.decode_video_ms = f.decode_ms;
  out.frames_from_cache = f.from_cache;
  out.frames = f.frames_THWC.size(0);
  return f.frames_THWC;
}

PreparedVideo prepare_video(const datasets::Sample& sample, const datasets::Benchmark& benchmark, const VideoLM& model,
                            const FramesCache* frames_cache) {
  PreparedVideo out;
  const at::Tensor frames = decode_sample_frames(sample, benchmark, frames_cache, out);
  const auto t0 = std::chrono::steady_clock::now();
  out.input = model.prepare(frames, out.plan, out.duration_s);
  pin_for_device(out.input, model.llm().device());  // host work here, so vision_ms times device work only
  out.preprocess_ms = ms_since(t0);
  return out;
}

}  // namespace pevlm
