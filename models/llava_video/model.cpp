// LLaVA-Video behind VideoLM; see model.h.
#include "models/llava_video/model.h"

#include <ATen/ATen.h>

#include <cstdio>
#include <stdexcept>

#include "datasets/longvideobench/frame_sampling.h"
#include "models/llava_video/fastvid_signals.h"
#include "models/llava_video/pooling.h"
#include "models/safetensors/hub_cache.h"
#include "models/safetensors/torch_tensor.h"

namespace pevlm::llava_video {
namespace {

// The checkpoint's LLM under the layout's names (the converted layout in either transformers spelling).
WeightNames names_for(const LlavaVideoConfig& c, const safetensors::Checkpoint& ck) {
  return weight_names(c.layout, c.layout == Layout::Onevision && ck.has("model.language_model.embed_tokens.weight"));
}

}  // namespace

std::string time_instruction(double duration, const std::vector<double>& times) {
  // LLaVA-NeXT llava/train/train.py (add_time_instruction; what the model was trained on) and lmms-eval
  // models/llava_vid.py: "The video lasts for {video_time:.2f} seconds, and {num_frames} frames are uniformly
  // sampled from it. These frames are located at {frame_time}.Please answer ..." (no space before "Please"),
  // frame_time = ",".join(f"{t:.2f}s"); the user turn is "<image>\n{time}\n{question}".
  char buf[64];
  std::string frame_time;
  for (size_t i = 0; i < times.size(); ++i) {
    std::snprintf(buf, sizeof(buf), "%s%.2fs", i ? "," : "", times[i]);
    frame_time += buf;
  }
  std::snprintf(buf, sizeof(buf), "%.2f", duration);
  return "The video lasts for " + std::string(buf) + " seconds, and " + std::to_string(times.size()) +
         " frames are uniformly sampled from it. These frames are located at " + frame_time +
         ".Please answer the following questions related to this video.";
}

LlavaVideoLM::LlavaVideoLM(const std::filesystem::path& dir, const LoadRequest& r) : LlavaVideoLM(dir, r, load_config(dir)) {}

LlavaVideoLM::LlavaVideoLM(const std::filesystem::path& dir, const LoadRequest& r, LlavaVideoConfig config)
    : Qwen2VideoLM(dir,
                   [&] {
                     const auto ck = safetensors::Checkpoint::open(dir.string());
                     const WeightNames n = names_for(config, ck);
                     return load_qwen2_backbone(ck, config.text, n.llm_prefix, n.lm_head, dir,
                                                pick_compute_dtype(r.dtype, config.torch_dtype), r);
                   }(),
                   pick_compute_dtype(r.dtype, config.torch_dtype), r.device_name),
      config_(std::move(config)),
      options_(parse_options(r.options)) {
  model_options_ = r.options;
  chat_template_ = config_.layout == Layout::LmmsLab
                       ? tokenizer::read_chat_template(dir, tokenizer::ChatTemplateLookup::Tokenizer, {"qwen2"}, "llava_video")
                       : tokenizer::read_chat_template(dir, tokenizer::ChatTemplateLookup::Processor, {"llava_onevision"},
                                                       "llava_video");
  const auto ck = safetensors::Checkpoint::open(dir.string());
  const WeightNames n = names_for(config_, ck);
  vision_ = siglip::SiglipTower::load(ck, n.vision_prefix, config_.vision, config_.vision_layers, dtype_, r.device);
  const int64_t v = config_.vision.hidden_size, h = config_.text.hidden_size;
  const std::string what = "the config (" + config_.source + ": mm_projector_type mlp2x_gelu)";
  const std::vector<ProjectorWeightSpec> table = projector_weight_table(n, v, h);
  auto get = [&](size_t i, const std::string& from) {
    return safetensors::load_checked(ck, table[i].name, table[i].shape, r.device, dtype_, from);
  };
  proj1_w_ = get(0, what);
  proj1_b_ = get(1, what);
  proj2_w_ = get(2, what);
  proj2_b_ = get(3, what);
  newline_D_ = get(4, "the LLM hidden size");
  mapping_ = std::make_shared<const safetensors::Checkpoint>(ck);
  if (!options_.fastvid_siglip.empty()) {
    // FastVID's two LLaVA trees each run one pooling / newline configuration (fastvid_signals.h).
    try {
      (void)fastvid_reference(options_.pool_mode, options_.newline);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("llava_video model option fastvid_siglip: " + std::string(e.what()));
    }
    // A folder, or the hub id the reference's from_pretrained(mm_vision_tower) reads, from the local hub cache.
    auto head = std::make_shared<const siglip::SiglipPoolingHead>(
        siglip::SiglipPoolingHead::load(safetensors::resolve_model_dir(options_.fastvid_siglip), r.device));
    if (head->config().hidden_size != config_.vision.hidden_size)
      throw std::runtime_error("llava_video model option fastvid_siglip: " + options_.fastvid_siglip + " has hidden size " +
                               std::to_string(head->config().hidden_size) + ", the checkpoint's vision tower " +
                               std::to_string(config_.vision.hidden_size) + " (" + config_.source +
                               "); the release must be the tower's (mm_vision_tower)");
    fastvid_head_ = std::move(head);
  }
}

nlohmann::json LlavaVideoLM::describe() const {
  nlohmann::json d = describe_common(
      {{"layers", vision_.layers()}, {"hidden", config_.vision.hidden_size}, {"heads", config_.vision.num_heads},
       {"image_size", config_.vision.image_size}, {"patch", config_.vision.patch_size},
       {"tokens_per_frame",
        frame_token_counts(2, config_.vision.grid(), options_.pool_mode, config_.pool_stride, options_.newline)[0]}});
  d["layout"] = config_.layout == Layout::LmmsLab ? "llava_qwen" : "llava_onevision";
  d["options"] = options_.to_json();
  if (fastvid_head_) d["fastvid_siglip"] = fastvid_head_->describe();
  return d;
}

std::vector<at::Tensor> LlavaVideoLM::tensors() const {
  std::vector<at::Tensor> out = vision_.tensors();
  for (const at::Tensor& t : {proj1_w_, proj1_b_, proj2_w_, proj2_b_, newline_D_}) out.push_back(t);
  for (const at::Tensor& t : backbone_.tensors()) out.push_back(t);
  if (fastvid_head_)
    for (const at::Tensor& t : fastvid_head_->tensors()) out.push_back(t);
  return out;
}

lvb::PromptPlan LlavaVideoLM::generate_plan(int64_t frame_count, double fps, int64_t wanted) const {
  return one_video_plan(lvb::numpy_linspace_int(frame_count - 1, generate_frame_count(wanted, frame_count)), fps);
}

VideoInput LlavaVideoLM::prepare(const at::Tensor& frames_THWC, const lvb::PromptPlan& plan, double duration_s) const {
  // SigLipImageProcessor (LLaVA-NeXT siglip_encoder.py): resize to S x S with PIL bicubic on uint8,
  // rescale 1/255, normalise with mean = std = 0.5.
  const at::Tensor px = square_pixels(frames_THWC, config_.vision.image_size, {0.5, 0.5, 0.5}, {0.5, 0.5, 0.5});
  return video_first_input(px, config_.vision.grid(), plan, duration_s);
}

at::Tensor LlavaVideoLM::project(const at::Tensor& feat_TND) const {
  // mlp2x_gelu: Linear -> nn.GELU() (erf) -> Linear.
  return at::linear(at::gelu(at::linear(feat_TND, proj1_w_, proj1_b_)), proj2_w_, proj2_b_);
}

at::Tensor LlavaVideoLM::encode(const VideoInput& video) const { return encode_chunks(video, nullptr); }

std::string LlavaVideoLM::fastvid_signals_missing() const {
  return "the llava_video model was loaded without the model option fastvid_siglip: FastVID reads LLaVA-Video's "
         "saliency and frame features from the SigLIP release's attention-pooling head, which the checkpoint drops; "
         "set model_options: {fastvid_siglip: /path/to/siglip-so400m-patch14-384} (the release mm_vision_tower names)";
}

at::Tensor LlavaVideoLM::encode_with_fastvid_signals(const VideoInput& video, FastvidSignals& signals) const {
  if (!fastvid_head_) throw std::invalid_argument("reduction 'fastvid': " + fastvid_signals_missing());
  return encode_chunks(video, &signals);
}

at::Tensor LlavaVideoLM::encode_chunks(const VideoInput& video, FastvidSignals* fastvid) const {
  std::vector<at::Tensor> out, saliency, global;
  for (const VisualChunk& c : video.chunks) {
    at::Tensor px = c.pixels;
    // Pinned on the prefetch thread (pin_for_device): the copy is an asynchronous DMA, not host work.
    const at::Device device = backbone_.llm->device();
    if (!device.is_cpu()) px = (device.is_cuda() ? px.pin_memory() : px).to(device, /*non_blocking=*/true);
    const at::Tensor tower = vision_.forward(px);
    if (fastvid) {  // FastVID's encode_images: the head reads the tower's output, before the projector
      const FastvidSignals s = fastvid_signals(*fastvid_head_, tower, config_.vision.grid(), config_.pool_stride,
                                               options_.pool_mode, options_.newline);
      saliency.push_back(s.saliency_N);
      global.push_back(s.global_FG);
    }
    out.push_back(pool_frames(project(tower), config_.vision.grid(), options_.pool_mode, config_.pool_stride,
                              options_.newline, newline_D_).tokens_ND);
  }
  if (fastvid) *fastvid = {at::cat(saliency), at::cat(global), fastvid_reference(options_.pool_mode, options_.newline)};
  return out.size() == 1 ? out[0] : at::cat(out);
}

VideoPrompt LlavaVideoLM::build_prompt(const VideoInput& video, const std::string& system_prompt,
                                       const std::string& question) const {
  // conv_templates["qwen_1_5"] with tokenizer_image_token: "<image>\n" then [time instruction "\n"] and the text
  // (the OneVision template renders "<video>\n" there: only the placeholder of VideoPrompt::text differs).
  std::vector<int64_t> counts;
  for (const VisualChunk& c : video.chunks)
    for (int64_t n : frame_token_counts(c.grid[0], c.grid[1], options_.pool_mode, config_.pool_stride, options_.newline))
      counts.push_back(n);
  const std::string time = options_.time_instruction ? time_instruction(video.duration_s, video.frame_times) + "\n" : "";
  return backbone_.chat_prompt(video, counts, -1, system_prompt, "\n" + time, question,
                               chat_template_.name == "llava_onevision" ? "<video>" : "<image>");
}

}  // namespace pevlm::llava_video
