// Shared pieces of the model interface; see video_lm.h.
#include "models/video_lm/video_lm.h"

#include <ATen/ATen.h>

#include <stdexcept>


namespace pevlm {

int64_t VideoInput::patches() const {
  int64_t n = 0;
  for (const VisualChunk& c : chunks) n += c.patches();
  return n;
}

void pin_for_device(VideoInput& input, const at::Device& device) {
  if (!device.is_cuda()) return;
  for (VisualChunk& c : input.chunks)
    if (c.pixels.defined() && c.pixels.is_cpu()) c.pixels = c.pixels.pin_memory();
}

at::ScalarType pick_compute_dtype(const std::string& dtype, const std::string& checkpoint_torch_dtype) {
  if (dtype == "bf16") return at::kBFloat16;
  if (dtype == "fp32") return at::kFloat;
  if (dtype != "auto") throw std::invalid_argument("dtype must be auto, bf16 or fp32, got " + dtype);
  return (checkpoint_torch_dtype == "float32" || checkpoint_torch_dtype == "fp32") ? at::kFloat : at::kBFloat16;
}

at::Tensor embed_at_slots(const llm::Decoder& llm, const std::vector<int64_t>& ids,
                          const std::vector<int64_t>& slots, const at::Tensor& vision_ND) {
  const int64_t hidden = llm.text().hidden_size;
  if (!vision_ND.defined() || vision_ND.dim() != 2 || vision_ND.size(1) != hidden)
    throw std::invalid_argument("vision embeddings must be [N, " + std::to_string(hidden) + "], got " +
                                (vision_ND.defined() ? c10::str(vision_ND.sizes()) : "undefined"));
  if (int64_t(slots.size()) != vision_ND.size(0))
    throw std::invalid_argument("the prompt has " + std::to_string(slots.size()) + " visual slots but " +
                                std::to_string(vision_ND.size(0)) + " vision embeddings were given; the counts must match");
  at::Tensor x_LD = llm.embed(ids);
  if (!slots.empty())
    x_LD.index_copy_(0, at::tensor(slots, at::kLong).to(x_LD.device()), vision_ND.to(x_LD.device(), x_LD.scalar_type()));
  return x_LD;
}

lvb::PromptPlan one_video_plan(std::vector<int64_t> frame_indices, double fps) {
  lvb::PromptPlan plan;
  plan.frame_indices = std::move(frame_indices);
  for (size_t i = 0; i < plan.frame_indices.size(); ++i) {
    plan.frame_timestamps.push_back(fps > 0 ? double(plan.frame_indices[i]) / fps : 0.0);
    plan.pieces.push_back(lvb::PromptPiece{lvb::PromptPiece::Kind::Frame, int(i), ""});
  }
  plan.frames_as_video = true;
  plan.second_per_grid_ts = 1.0;
  return plan;
}

VideoInput video_first_input(const at::Tensor& pixels_TCSS, int64_t grid, const lvb::PromptPlan& plan, double duration_s) {
  VideoInput in;
  in.chunks.push_back(VisualChunk{pixels_TCSS, {pixels_TCSS.size(0), grid, grid}});
  in.pieces.push_back(UserPiece{"", 0});
  std::string text = plan.pre_video_text;
  bool any_text = false;
  for (const lvb::PromptPiece& p : plan.pieces)
    if (p.kind == lvb::PromptPiece::Kind::Text) {
      text += (any_text ? plan.separator : "") + p.text;
      any_text = true;
    }
  if (any_text) text += plan.separator;
  if (!text.empty()) in.pieces.push_back(UserPiece{text, -1});
  in.frame_times = plan.frame_timestamps;
  in.duration_s = duration_s;
  return in;
}

}  // namespace pevlm
