// Qwen3-VL behind VideoLM; see model.h.
#include "models/qwen3_vl/model.h"

#include <ATen/ATen.h>

#include <stdexcept>

#include "datasets/longvideobench/frame_sampling.h"
#include "models/llm/weights.h"
#include "models/qwen3_vl/preprocess.h"
#include "models/qwen3_vl/prompt.h"
#include "models/qwen3_vl/text.h"

namespace pevlm::qwen3_vl {
namespace {

const Qwen3VLConfig& checked(const std::filesystem::path& dir, const LoadRequest& r, const Qwen3VLConfig& c) {
  if (!r.options.is_null() && !r.options.empty())
    throw std::invalid_argument("model " + dir.string() + " (qwen3_vl) takes no model options, got " + r.options.dump());
  if (!r.executor) throw std::invalid_argument("model " + dir.string() + ": no attention executor given");
  return c;
}

// Chunk grid (t, h, w) in patches -> merged tokens per temporal patch.
MergedGrid merged(const VisualChunk& c, int64_t merge) { return {c.grid[0], c.grid[1] / merge, c.grid[2] / merge}; }

}  // namespace

Qwen3VideoLM::Qwen3VideoLM(const std::filesystem::path& dir, const LoadRequest& r)
    : Qwen3VideoLM(dir, r, load_config(dir.string())) {}

Qwen3VideoLM::Qwen3VideoLM(const std::filesystem::path& dir, const LoadRequest& r, Qwen3VLConfig config)
    : Qwen2VideoLM(dir,
                   [&] {
                     checked(dir, r, config);
                     const auto ck = safetensors::Checkpoint::open(dir.string());
                     return load_qwen2_backbone(ck, config.text, llm::detect_prefix(ck), "lm_head.weight", dir,
                                                pick_compute_dtype(r.dtype, config.torch_dtype), r);
                   }(),
                   pick_compute_dtype(r.dtype, config.torch_dtype), r.device_name),
      config_(std::move(config)) {
  auto ck = std::make_shared<const safetensors::Checkpoint>(safetensors::Checkpoint::open(dir.string()));
  vision_ = std::make_unique<VisionTower>(VisionTower::load(*ck, config_.vision, dtype_, r.device));
  mapping_ = ck;
}

nlohmann::json Qwen3VideoLM::describe() const {
  const VisionConfig& v = config_.vision;
  // The simulate cost model's vision keys (harness/simulate/cost_model.cpp): every block attends within one
  // temporal step (no windows); its MLP / merger terms are Qwen2.5-VL's shape (an estimate here: Qwen3-VL's
  // MLP is not gated and its DeepStack mergers are not counted).
  return describe_common({{"depth", v.depth}, {"hidden", v.hidden_size}, {"heads", v.num_heads},
                          {"intermediate", v.intermediate_size}, {"patch", v.patch_size},
                          {"fullatt_blocks", v.depth}, {"window_tokens", 0}, {"patch_dim", v.patch_dim()},
                          {"merge", v.merge_unit()}, {"deepstack_visual_indexes", v.deepstack_visual_indexes},
                          {"rope", "mrope_interleaved"}});
}

std::vector<at::Tensor> Qwen3VideoLM::tensors() const {
  std::vector<at::Tensor> out = backbone_.tensors();
  const VisionWeights& w = vision_->weights();
  for (const at::Tensor& t : {w.patch_w, w.patch_b, w.pos_embed}) out.push_back(t);
  for (const auto& b : w.blocks)
    for (const at::Tensor& t : {b.norm1_w, b.norm1_b, b.norm2_w, b.norm2_b, b.qkv_w, b.qkv_b, b.proj_w, b.proj_b, b.fc1_w,
                                b.fc1_b, b.fc2_w, b.fc2_b})
      out.push_back(t);
  auto merger = [&](const MergerWeights& m) {
    for (const at::Tensor& t : {m.norm_w, m.norm_b, m.fc1_w, m.fc1_b, m.fc2_w, m.fc2_b}) out.push_back(t);
  };
  merger(w.merger);
  for (const auto& m : w.deepstack) merger(m);
  return out;
}

lvb::PromptPlan Qwen3VideoLM::generate_plan(int64_t frame_count, double fps, int64_t wanted) const {
  const int64_t n = generate_frame_count(wanted, frame_count);
  lvb::PromptPlan plan = one_video_plan(lvb::torch_linspace_round(0, frame_count - 1, n), fps);
  const SamplingOptions o;
  plan.min_pixels = o.min_tokens * o.factor() * o.factor();
  plan.max_pixels = double(o.max_tokens * o.factor() * o.factor());  // the per-frame ceiling; --max-pixels lowers it
  return plan;
}

VideoInput Qwen3VideoLM::prepare(const at::Tensor& frames, const lvb::PromptPlan& plan, double duration_s) const {
  if (!plan.frames_as_video)
    throw std::invalid_argument("qwen3_vl: protocol '" + plan.protocol +
                                "' sends frames as separate images; Qwen3-VL runs them as one video (frames_as_video)");
  for (const auto& piece : plan.pieces)
    if (piece.kind == lvb::PromptPiece::Kind::Text)
      throw std::invalid_argument("qwen3_vl: protocol '" + plan.protocol +
                                  "' interleaves subtitle lines with the frames; Qwen3-VL's video prompt takes none");
  VideoInput in;
  in.frame_times = plan.frame_timestamps;
  in.duration_s = duration_s;
  // qwen-vl-utils' Qwen3-VL budget for this frame count; the plan's max_pixels (a protocol's or
  // generate --max-pixels) can only lower it, as qwen-vl-utils treats ele["max_pixels"]. The plan's
  // min_pixels is Qwen2.5-VL's (28 x 28 units) and not used.
  const FrameSize size = video_resize_target(frames.size(1), frames.size(2), frames.size(0), {}, plan.max_pixels);
  const VideoPixels px = preprocess_frames(frames, size);
  in.chunks.push_back(VisualChunk{px.pixel_values, {px.grid.t, px.grid.h, px.grid.w}});
  in.pieces.push_back(UserPiece{plan.pre_video_text, -1});
  in.pieces.push_back(UserPiece{"", 0});
  if (!plan.pieces.empty()) in.pieces.push_back(UserPiece{plan.separator, -1});
  return in;
}

at::Tensor Qwen3VideoLM::encode(const VideoInput& video) const {
  if (video.chunks.size() != 1) throw std::invalid_argument("qwen3_vl: encode takes one video chunk");
  const VisualChunk& c = video.chunks[0];
  VisionOutput out = vision_->forward(c.pixels, {Grid{c.grid[0], c.grid[1], c.grid[2]}});
  std::vector<at::Tensor> cols{out.embeds};
  for (const at::Tensor& f : out.deepstack) cols.push_back(f);
  return at::cat(cols, 1);
}

VideoPrompt Qwen3VideoLM::build_prompt(const VideoInput& video, const std::string& system_prompt,
                                       const std::string& question) const {
  if (video.chunks.size() != 1) throw std::invalid_argument("qwen3_vl: the prompt takes one video chunk");
  std::string before, after;
  bool seen = false;
  for (const UserPiece& p : video.pieces) {
    if (p.chunk >= 0) seen = true;
    else (seen ? after : before) += p.text;
  }
  const MergedGrid g = merged(video.chunks[0], config_.vision.spatial_merge_size);
  // Timestamps per temporal patch: frame times padded with the last to the temporal patch, pair means
  // (Qwen3VLProcessor._calculate_timestamps on index / fps).
  std::vector<double> times = video.frame_times;
  if (times.empty()) throw std::invalid_argument("qwen3_vl: the video has no frame times (needed for its timestamps)");
  const int64_t tp = config_.vision.temporal_patch_size;
  while (times.size() % size_t(tp)) times.push_back(times.back());
  std::vector<double> stamps;
  for (size_t i = 0; i < times.size(); i += size_t(tp)) stamps.push_back((times[i] + times[i + size_t(tp) - 1]) / 2);
  BuiltPrompt b = build_video_prompt(backbone_.tokenizer,
                                     {config_.tokens.vision_start, config_.tokens.vision_end, config_.tokens.video_pad},
                                     system_prompt, before, TimedVideo{g, stamps}, after + question);
  VideoPrompt out;
  out.ids = b.ids;
  out.layout = b.layout;
  out.text = b.text;
  for (size_t i = 0; i < b.ids.size(); ++i)
    if (b.ids[i] == config_.tokens.video_pad) out.visual_slots.push_back(int64_t(i));
  return out;
}

at::Tensor Qwen3VideoLM::embed_prompt(const VideoPrompt& prompt, const at::Tensor& vision) const {
  const int64_t H = config_.text.hidden_size, k = int64_t(config_.vision.deepstack_visual_indexes.size());
  if (vision.dim() != 2 || vision.size(1) != H * (1 + k))
    throw std::invalid_argument("qwen3_vl: vision embeddings must be [N, " + std::to_string(H * (1 + k)) +
                                "] (tokens + " + std::to_string(k) + " DeepStack features), got " + c10::str(vision.sizes()));
  at::Tensor x = embed_at_slots(*backbone_.llm, prompt.ids, prompt.visual_slots, vision.narrow(1, 0, H));
  std::vector<at::Tensor> features;
  for (int64_t j = 0; j < k; ++j) features.push_back(vision.narrow(1, H * (j + 1), H));
  return with_deepstack(x, prompt.ids, config_.tokens.video_pad, features);
}

}  // namespace pevlm::qwen3_vl
