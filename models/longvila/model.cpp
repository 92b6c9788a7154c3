// LongVILA behind VideoLM; see model.h.
#include "models/longvila/model.h"

#include <ATen/ATen.h>

#include <stdexcept>

#include "models/longvila/frame_sampling.h"

namespace pevlm::longvila {
namespace {

int64_t frames_option(const nlohmann::json& options, int64_t fallback) {
  for (const auto& [key, v] : options.items()) {
    if (key != "frames") throw std::invalid_argument("longvila model option '" + key + "' is unknown (valid: frames)");
    if (!v.is_number_integer() || v.get<int64_t>() < 1)
      throw std::invalid_argument("longvila model option frames: expected a positive integer, got " + v.dump());
    return v.get<int64_t>();
  }
  return fallback;
}

}  // namespace

LongVilaLM::LongVilaLM(const std::filesystem::path& dir, const LoadRequest& r) : LongVilaLM(dir, r, load_config(dir)) {}

LongVilaLM::LongVilaLM(const std::filesystem::path& dir, const LoadRequest& r, LongVilaConfig config)
    : Qwen2VideoLM(dir,
                   load_qwen2_backbone(safetensors::Checkpoint::open((dir / "llm").string()), config.text, "model.",
                                       "lm_head.weight", dir / "llm", pick_compute_dtype(r.dtype, config.torch_dtype), r),
                   pick_compute_dtype(r.dtype, config.torch_dtype), r.device_name),
      config_(std::move(config)),
      frames_(frames_option(r.options, config_.frames)) {
  model_options_ = r.options;
  // VILA's AutoTokenizer.from_pretrained(llm/) template; config.json's "chat_template" is dropped by
  // LlavaConfig.__init__ (it passes no kwargs to PretrainedConfig), so it is never read here either.
  chat_template_ = tokenizer::read_chat_template(dir / "llm", tokenizer::ChatTemplateLookup::Tokenizer, {"qwen2", "qwen2_vila"},
                                                 "longvila");
  const auto vt = safetensors::Checkpoint::open((dir / "vision_tower").string());
  vision_ = siglip::SiglipTower::load(vt, "", config_.vision, config_.vision_layers, dtype_, r.device);
  projector_ = Projector::load(safetensors::Checkpoint::open((dir / "mm_projector").string()), config_.vision.hidden_size,
                               config_.text.hidden_size, r.device, dtype_);
  const std::vector<int64_t> nl = backbone_.encode("\n", false);
  if (nl.size() != 1)
    throw std::runtime_error("tokenizer in " + (dir / "llm").string() + ": \"\\n\" is " + std::to_string(nl.size()) +
                             " tokens, expected one (LongVILA's per-frame end token)");
  newline_id_ = nl[0];
}

nlohmann::json LongVilaLM::describe() const {
  nlohmann::json d = describe_common({{"layers", vision_.layers()}, {"hidden", config_.vision.hidden_size},
                                      {"heads", config_.vision.num_heads}, {"image_size", config_.vision.image_size},
                                      {"patch", config_.vision.patch_size}, {"tokens_per_frame", config_.tokens_per_frame() + 1}});
  d["options"] = {{"frames", frames_}};
  d["config"]["fps"] = config_.fps;  // VILA's frame sampling rate (0: uniform over the whole video)
  return d;
}

std::vector<at::Tensor> LongVilaLM::tensors() const {
  std::vector<at::Tensor> out = vision_.tensors();
  for (const at::Tensor& t : projector_.tensors()) out.push_back(t);
  for (const at::Tensor& t : backbone_.tensors()) out.push_back(t);
  return out;
}

lvb::PromptPlan LongVilaLM::generate_plan(int64_t frame_count, double fps, int64_t wanted) const {
  return one_video_plan(vila_frame_indices(frame_count, fps, config_.fps, wanted), fps);
}

VideoInput LongVilaLM::prepare(const at::Tensor& frames_THWC, const lvb::PromptPlan& plan, double duration_s) const {
  // VILA's "resize" aspect mode: straight to S x S (PIL bicubic), then the tower's mean/std.
  const at::Tensor px = square_pixels(frames_THWC, config_.vision.image_size, config_.image_mean, config_.image_std);
  return video_first_input(px, config_.vision.grid(), plan, duration_s);
}

at::Tensor LongVilaLM::encode(const VideoInput& video) const {
  std::vector<at::Tensor> out;
  for (const VisualChunk& c : video.chunks) {
    at::Tensor px = c.pixels;
    // Pinned on the prefetch thread (pin_for_device): the copy is an asynchronous DMA, not host work.
    const at::Device device = backbone_.llm->device();
    if (!device.is_cpu()) px = (device.is_cuda() ? px.pin_memory() : px).to(device, /*non_blocking=*/true);
    const at::Tensor t = projector_.forward(vision_.forward(px));  // [T, 256, hidden]
    out.push_back(t.reshape({-1, t.size(2)}));
  }
  return out.size() == 1 ? out[0] : at::cat(out);
}

VideoPrompt LongVilaLM::build_prompt(const VideoInput& video, const std::string& system_prompt,
                                     const std::string& question) const {
  // BasicVideoEncoder: each frame's 256 tokens, then the "\n" end token (a real id in the prompt). The user
  // message is "<vila/video>" + text, stripped by tokenize_conversation (only its end can change).
  int64_t frames = 0;
  for (const VisualChunk& c : video.chunks) frames += c.grid[0];
  return backbone_.chat_prompt(video, std::vector<int64_t>(size_t(frames), config_.tokens_per_frame()), newline_id_,
                               system_prompt, "", question, "<vila/video>", /*strip_user_text=*/true);
}

}  // namespace pevlm::longvila
