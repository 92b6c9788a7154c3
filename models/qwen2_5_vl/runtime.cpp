// Qwen2.5-VL behind VideoLM; see runtime.h.
#include "models/qwen2_5_vl/runtime.h"

#include <ATen/ATen.h>

#include <cmath>
#include <stdexcept>

#include "datasets/longvideobench/frame_sampling.h"
#include "models/safetensors/safetensors.h"
#include "models/video_lm/decoded_answer.h"
#include "models/video_lm/draft_models.h"
#include "models/video_lm/qwen2_backbone.h"
#include "models/qwen2_5_vl/llm_load.h"

namespace pevlm::qwen2_5_vl {
namespace {

// The folder, once the request is checked: Qwen2.5-VL takes no model options (checked before loading).
const std::filesystem::path& checked_request(const std::filesystem::path& dir, const LoadRequest& r) {
  if (!r.options.is_null() && !r.options.empty())
    throw std::invalid_argument("model " + dir.string() + " (qwen2_5_vl) takes no model options, got " + r.options.dump());
  if (!r.executor) throw std::invalid_argument("model " + dir.string() + ": no attention executor given");
  return dir;
}

// What stops `draft` from drafting for `target` beyond the family and vocabulary (draft_models.h):
// special ids, video patching, the tokenizer; "" when nothing.
std::string draft_mismatch(const QwenVideoLM& target, const QwenVideoLM& draft) {
  const auto& t = target.config();
  const auto& d = draft.config();
  auto pair = [](const char* what, int64_t a, int64_t b) {
    return a == b ? std::string() : std::string(what) + " " + std::to_string(b) + " vs the target's " + std::to_string(a);
  };
  const std::vector<std::string> checks = {
      pair("eos_token_id", t.tokens.eos, d.tokens.eos),
      pair("bos_token_id", t.tokens.bos, d.tokens.bos),
      pair("vision_start_token_id", t.tokens.vision_start, d.tokens.vision_start),
      pair("vision_end_token_id", t.tokens.vision_end, d.tokens.vision_end),
      pair("video_token_id", t.tokens.video_pad, d.tokens.video_pad),
      pair("image_token_id", t.tokens.image_pad, d.tokens.image_pad),
      pair("vision patch_size", t.vision.patch_size, d.vision.patch_size),
      pair("vision temporal_patch_size", t.vision.temporal_patch_size, d.vision.temporal_patch_size),
      pair("vision spatial_merge_size", t.vision.spatial_merge_size, d.vision.spatial_merge_size),
      pair("vision tokens_per_second (x1000)", std::llround(t.vision.tokens_per_second * 1000),
           std::llround(d.vision.tokens_per_second * 1000))};
  for (const auto& c : checks)
    if (!c.empty()) return c;
  return tokenizer_mismatch(target.tokenizer(), draft.tokenizer());
}

}  // namespace

QwenVideoLM::QwenVideoLM(const std::filesystem::path& model_dir, const LoadRequest& request)
    : dir_(checked_request(model_dir, request)),
      config_(load_config((model_dir / "config.json").string())),
      preprocessor_(load_preprocessor_config(model_dir.string())),
      tokenizer_(tokenizer::Tokenizer::load(model_dir)),
      // lmms-eval renders with processor.apply_chat_template: the processor's template files.
      chat_template_(tokenizer::read_chat_template(model_dir, tokenizer::ChatTemplateLookup::Processor, {"qwen2_5_vl"},
                                                   "qwen2_5_vl")),
      dtype_(pick_compute_dtype(request.dtype, config_.torch_dtype)),
      device_(request.device),
      device_name_(request.device_name),
      executor_(request.executor) {
  const auto checkpoint = safetensors::Checkpoint::open(model_dir.string());
  vision_ = std::make_unique<VisionTower>(VisionTower::load(checkpoint, config_.vision, dtype_, device_));
  llm::DecoderOptions llm_options;
  llm_options.dtype = dtype_;
  llm_options.device = device_;
  llm_ = std::make_unique<llm::Decoder>(load_llm(model_dir.string(), llm_options));
  for (const char* stop : {"<|im_end|>", "<|endoftext|>"}) stop_ids_.push_back(tokenizer_.token_id(stop));
}

std::string QwenVideoLM::dtype_name() const { return dtype_ == at::kFloat ? "fp32" : "bf16"; }

nlohmann::json QwenVideoLM::describe() const {
  const auto& t = config_.text;
  const auto& v = config_.vision;
  return {{"name", dir_.filename().string()},
          {"family", family()},
          {"path", std::filesystem::absolute(dir_).string()},
          {"dtype", dtype_name()},
          {"device", device_name_},
          {"executor", executor_->name()},
          {"kernel", executor_->kernel()},
          {"config",
           {{"hidden", t.hidden_size}, {"layers", t.num_layers}, {"heads", t.num_heads}, {"kv_heads", t.num_kv_heads},
            {"head_dim", t.head_dim}, {"intermediate", t.intermediate_size}, {"vocab", t.vocab_size},
            {"vision",
             {{"depth", v.depth}, {"hidden", v.hidden_size}, {"heads", v.num_heads}, {"intermediate", v.intermediate_size},
              {"fullatt_blocks", v.fullatt_block_indexes.size()},
              {"window_tokens", (v.window_size / v.patch_size) * (v.window_size / v.patch_size)}}}}},
          {"chat_template", chat_template_.to_json()}};
}

std::vector<at::Tensor> QwenVideoLM::tensors() const {
  std::vector<at::Tensor> out = vision_->tensors();
  for (const at::Tensor& t : llm_tensors(*llm_)) out.push_back(t);
  return out;
}

lvb::PromptPlan QwenVideoLM::generate_plan(int64_t frame_count, double fps, int64_t wanted) const {
  const int64_t n = generate_frame_count(wanted, frame_count);
  lvb::PromptPlan plan = one_video_plan(lvb::torch_linspace_round(0, frame_count - 1, n), fps);
  plan.min_pixels = 128 * 28 * 28;
  plan.max_pixels = 768 * 28 * 28;
  return plan;
}

VideoInput QwenVideoLM::prepare(const at::Tensor& frames, const lvb::PromptPlan& plan, double duration_s) const {
  VideoInput in;
  in.second_per_grid_t = plan.second_per_grid_ts;
  in.frame_times = plan.frame_timestamps;
  in.duration_s = duration_s;
  PreprocessOptions opts;
  opts.config = preprocessor_;
  opts.config.min_pixels = plan.min_pixels;
  opts.config.max_pixels = int64_t(plan.max_pixels);
  auto chunk = [](const VideoPatches& p) {
    return VisualChunk{p.pixel_values, {p.grid.t, p.grid.h, p.grid.w}};
  };
  // Video: all frames in one chunk (2 frames per temporal grid step). Images: one chunk per frame
  // piece, the frame repeated to the temporal patch (as the Qwen2.5-VL processor does for images).
  if (plan.frames_as_video) in.chunks.push_back(chunk(preprocess_video(frames, opts)));
  in.pieces.push_back(UserPiece{plan.pre_video_text, -1});
  bool video_placed = false;
  for (size_t i = 0; i < plan.pieces.size(); ++i) {
    const auto& piece = plan.pieces[i];
    if (i > 0) in.pieces.push_back(UserPiece{plan.separator, -1});
    if (piece.kind == lvb::PromptPiece::Kind::Text) {
      in.pieces.push_back(UserPiece{piece.text, -1});
    } else if (plan.frames_as_video) {
      if (!video_placed) in.pieces.push_back(UserPiece{"", 0});
      video_placed = true;
    } else {
      in.chunks.push_back(chunk(preprocess_video(frames.narrow(0, piece.frame, 1), opts)));
      in.pieces.push_back(UserPiece{"", int(in.chunks.size()) - 1});
    }
  }
  if (!plan.pieces.empty()) in.pieces.push_back(UserPiece{plan.separator, -1});
  return in;
}

namespace {
std::vector<VideoPatches> patches_of(const VideoInput& video) {
  std::vector<VideoPatches> chunks;
  for (const VisualChunk& c : video.chunks)
    chunks.push_back(VideoPatches{c.pixels, {c.grid[0], c.grid[1], c.grid[2]}, {}});
  return chunks;
}
}  // namespace

at::Tensor QwenVideoLM::encode(const VideoInput& video) const { return encode(patches_of(video)); }

at::Tensor QwenVideoLM::encode_with_fastvid_signals(const VideoInput& video, FastvidSignals& signals) const {
  signals.global_FG = at::Tensor();  // FastVID's Qwen2.5-VL code: the mean of each temporal patch's tokens (L1859)
  return encode(patches_of(video), &signals.saliency_N);
}

VideoPrompt QwenVideoLM::build_prompt(const VideoInput& video, const std::string& system_prompt,
                                       const std::string& question) const {
  BuiltPrompt built = prompt(video, system_prompt, question);
  VideoPrompt p{std::move(built.ids), std::move(built.layout), {}, std::move(built.text)};
  for (size_t i = 0; i < p.ids.size(); ++i)
    if (p.ids[i] == config_.tokens.video_pad) p.visual_slots.push_back(int64_t(i));
  return p;
}

at::Tensor QwenVideoLM::embed_prompt(const VideoPrompt& prompt, const at::Tensor& vision) const {
  return embed_at_slots(*llm_, prompt.ids, prompt.visual_slots, vision.to(device_, dtype_));
}

at::Tensor QwenVideoLM::encode(const std::vector<VideoPatches>& chunks, at::Tensor* fastvid_saliency) const {
  std::vector<at::Tensor> pixels;
  std::vector<GridTHW> grids;
  for (const auto& c : chunks) {
    pixels.push_back(c.pixel_values);
    grids.push_back(c.grid);
  }
  // On a GPU each chunk goes host -> device from pinned memory without blocking (pin_for_device pinned
  // it on the prefetch thread; pin_memory() is then a no-op) and the chunks are joined there, so the
  // timed vision stage holds no host-side concatenation or pinning copy.
  if (!device_.is_cpu())
    for (at::Tensor& p : pixels) p = (device_.is_cuda() ? p.pin_memory() : p).to(device_, /*non_blocking=*/true);
  const at::Tensor px = pixels.size() == 1 ? pixels[0] : at::cat(pixels);
  return vision_->forward(px, grids, nullptr, 65536, fastvid_saliency);
}

BuiltPrompt QwenVideoLM::prompt(const VideoInput& video, const std::string& system_prompt,
                                 const std::string& question) const {
  std::vector<PromptSegment> segments;
  for (const UserPiece& p : video.pieces) {
    if (p.chunk < 0) {
      if (!p.text.empty()) segments.push_back({PromptSegment::Kind::Text, p.text, {}});
      continue;
    }
    const auto& g = video.chunks.at(size_t(p.chunk)).grid;
    segments.push_back({PromptSegment::Kind::Video, "", {{g[0], g[1], g[2]}, video.second_per_grid_t}});
  }
  RopeIndexOptions rope;
  rope.spatial_merge_size = config_.vision.spatial_merge_size;
  rope.tokens_per_second = config_.vision.tokens_per_second;
  return build_video_prompt(tokenizer_, config_, system_prompt, segments, question, rope);
}

at::Tensor QwenVideoLM::embed(const BuiltPrompt& prompt, const at::Tensor& vision) const {
  return llm_->embed_with_vision(prompt.ids, vision.to(device_, dtype_), config_.tokens.video_pad);
}

llm::Session QwenVideoLM::prefill(const at::Tensor& x_LD, const TokenLayout& layout, const MethodConfig& method) const {
  return llm_->prefill(x_LD, build_plan(method, layout), *executor_);
}

MethodAnswer QwenVideoLM::answer(const at::Tensor& x_LD, const TokenLayout& layout, const MethodConfig& method,
                                  int64_t max_new_tokens, const DecoderConfig& decoder, const DraftInput* draft) const {
  return answer_with_decoder({*llm_, *executor_, tokenizer_, stop_ids_}, x_LD, layout, build_plan(method, layout),
                             max_new_tokens, decoder, draft);
}

MethodAnswer QwenVideoLM::answer_session(llm::Session& session, int64_t max_new_tokens) const {
  llm::GenerationOptions gen;
  gen.max_new_tokens = max_new_tokens;
  gen.stop_ids = stop_ids_;
  const llm::GenerationResult result = llm_->generate(session, gen);
  std::vector<int32_t> ids(result.tokens.begin(), result.tokens.end());
  return MethodAnswer{tokenizer_.decode(ids, /*skip_special=*/true), result.tokens, session.plan.token_counts(),
                      session.timings, std::nullopt, nullptr};
}

std::unique_ptr<DraftModels> QwenVideoLM::draft_models(const std::filesystem::path& target_dir) const {
  LoadRequest request;
  request.dtype = dtype_name();
  request.device = device_;
  request.device_name = device_name_;
  auto load = [](const std::filesystem::path& dir, const LoadRequest& r) -> std::unique_ptr<VideoLM> {
    return std::make_unique<QwenVideoLM>(dir, r);
  };
  auto check = [](const VideoLM& target, const VideoLM& draft) {
    return draft_mismatch(static_cast<const QwenVideoLM&>(target), static_cast<const QwenVideoLM&>(draft));
  };
  return std::make_unique<SameFamilyDraftModels>(*this, target_dir.string(), request, load, check);
}

}  // namespace pevlm::qwen2_5_vl
