// Qwen3-VL vision-tower weights; see weights_vision.h.
#include "models/qwen3_vl/weights_vision.h"

#include <stdexcept>

#include "models/safetensors/torch_tensor.h"

namespace pevlm::qwen3_vl {
namespace {

void merger_specs(std::vector<VisionTensorSpec>& s, const std::string& p, int64_t norm_width, int64_t M, int64_t out) {
  s.push_back({p + "norm.weight", {norm_width}});
  s.push_back({p + "norm.bias", {norm_width}});
  s.push_back({p + "linear_fc1.weight", {M, M}});
  s.push_back({p + "linear_fc1.bias", {M}});
  s.push_back({p + "linear_fc2.weight", {out, M}});
  s.push_back({p + "linear_fc2.bias", {out}});
}

std::vector<at::Tensor*> merger_fields(MergerWeights& m) {
  return {&m.norm_w, &m.norm_b, &m.fc1_w, &m.fc1_b, &m.fc2_w, &m.fc2_b};
}

// The struct fields in vision_tensor_specs order (one table, one order).
std::vector<at::Tensor*> field_table(VisionWeights& w, const VisionConfig& c) {
  std::vector<at::Tensor*> f{&w.patch_w, &w.patch_b, &w.pos_embed};
  w.blocks.resize(size_t(c.depth));
  for (auto& b : w.blocks)
    for (at::Tensor* t : {&b.norm1_w, &b.norm1_b, &b.norm2_w, &b.norm2_b, &b.qkv_w, &b.qkv_b, &b.proj_w, &b.proj_b,
                          &b.fc1_w, &b.fc1_b, &b.fc2_w, &b.fc2_b})
      f.push_back(t);
  for (at::Tensor* t : merger_fields(w.merger)) f.push_back(t);
  w.deepstack.resize(c.deepstack_visual_indexes.size());
  for (auto& m : w.deepstack)
    for (at::Tensor* t : merger_fields(m)) f.push_back(t);
  return f;
}

}  // namespace

std::vector<VisionTensorSpec> vision_tensor_specs(const VisionConfig& c) {
  const int64_t D = c.hidden_size, I = c.intermediate_size, M = c.merger_hidden();
  std::vector<VisionTensorSpec> s;
  s.push_back({"patch_embed.proj.weight", {D, c.in_channels, c.temporal_patch_size, c.patch_size, c.patch_size}});
  s.push_back({"patch_embed.proj.bias", {D}});
  s.push_back({"pos_embed.weight", {c.num_position_embeddings, D}});
  for (int64_t i = 0; i < c.depth; ++i) {
    const std::string p = "blocks." + std::to_string(i) + ".";
    s.push_back({p + "norm1.weight", {D}});
    s.push_back({p + "norm1.bias", {D}});
    s.push_back({p + "norm2.weight", {D}});
    s.push_back({p + "norm2.bias", {D}});
    s.push_back({p + "attn.qkv.weight", {3 * D, D}});
    s.push_back({p + "attn.qkv.bias", {3 * D}});
    s.push_back({p + "attn.proj.weight", {D, D}});
    s.push_back({p + "attn.proj.bias", {D}});
    s.push_back({p + "mlp.linear_fc1.weight", {I, D}});
    s.push_back({p + "mlp.linear_fc1.bias", {I}});
    s.push_back({p + "mlp.linear_fc2.weight", {D, I}});
    s.push_back({p + "mlp.linear_fc2.bias", {D}});
  }
  merger_specs(s, "merger.", D, M, c.out_hidden_size);
  for (size_t j = 0; j < c.deepstack_visual_indexes.size(); ++j)
    merger_specs(s, "deepstack_merger_list." + std::to_string(j) + ".", M, M, c.out_hidden_size);
  return s;
}

std::string vision_prefix(const safetensors::Checkpoint& ck) {
  for (const char* p : {"model.visual.", "visual."})
    if (ck.has(std::string(p) + "patch_embed.proj.weight")) return p;
  throw std::runtime_error("checkpoint '" + ck.path() +
                           "': no Qwen3-VL vision tower (neither model.visual.patch_embed.proj.weight nor "
                           "visual.patch_embed.proj.weight)");
}

VisionWeights load_vision_weights(const safetensors::Checkpoint& ck, const VisionConfig& config, at::ScalarType dtype,
                                  const at::Device& device) {
  const std::string prefix = vision_prefix(ck);
  VisionWeights w;
  std::vector<VisionTensorSpec> specs = vision_tensor_specs(config);
  std::vector<at::Tensor*> fields = field_table(w, config);
  if (specs.size() != fields.size()) throw std::logic_error("qwen3_vl vision weight table out of sync");
  for (size_t i = 0; i < specs.size(); ++i)
    *fields[i] = safetensors::load_checked(ck, prefix + specs[i].name, specs[i].shape, device, dtype, "the Qwen3-VL vision config");
  return w;
}

}  // namespace pevlm::qwen3_vl
