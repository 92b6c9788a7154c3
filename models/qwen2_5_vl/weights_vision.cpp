// Vision-tower weights; see weights_vision.h.
#include "models/qwen2_5_vl/weights_vision.h"

#include <stdexcept>

#include <ATen/CPUGeneratorImpl.h>

#include "models/safetensors/torch_tensor.h"

namespace pevlm::qwen2_5_vl {
namespace {

std::string shape_str(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

// Assigns tensors in vision_tensor_specs order to the struct fields (one table, one order).
std::vector<at::Tensor*> field_table(VisionWeights& w, int64_t depth) {
  std::vector<at::Tensor*> f{&w.patch_w};
  w.blocks.resize(size_t(depth));
  for (auto& b : w.blocks) {
    for (at::Tensor* t : {&b.norm1_w, &b.norm2_w, &b.qkv_w, &b.qkv_b, &b.proj_w, &b.proj_b, &b.gate_w,
                          &b.gate_b, &b.up_w, &b.up_b, &b.down_w, &b.down_b}) {
      f.push_back(t);
    }
  }
  for (at::Tensor* t : {&w.merger_ln_w, &w.merger_fc1_w, &w.merger_fc1_b, &w.merger_fc2_w, &w.merger_fc2_b}) {
    f.push_back(t);
  }
  return f;
}

bool is_norm(const std::string& name) {
  return name.find("norm1") != std::string::npos || name.find("norm2") != std::string::npos ||
         name.find("ln_q") != std::string::npos;
}

}  // namespace

std::vector<VisionTensorSpec> vision_tensor_specs(const VisionConfig& c) {
  const int64_t D = c.hidden_size, I = c.intermediate_size, M = c.merger_hidden();
  std::vector<VisionTensorSpec> s;
  s.push_back({"patch_embed.proj.weight", {D, c.in_channels, c.temporal_patch_size, c.patch_size, c.patch_size}});
  for (int64_t i = 0; i < c.depth; ++i) {
    const std::string p = "blocks." + std::to_string(i) + ".";
    s.push_back({p + "norm1.weight", {D}});
    s.push_back({p + "norm2.weight", {D}});
    s.push_back({p + "attn.qkv.weight", {3 * D, D}});
    s.push_back({p + "attn.qkv.bias", {3 * D}});
    s.push_back({p + "attn.proj.weight", {D, D}});
    s.push_back({p + "attn.proj.bias", {D}});
    s.push_back({p + "mlp.gate_proj.weight", {I, D}});
    s.push_back({p + "mlp.gate_proj.bias", {I}});
    s.push_back({p + "mlp.up_proj.weight", {I, D}});
    s.push_back({p + "mlp.up_proj.bias", {I}});
    s.push_back({p + "mlp.down_proj.weight", {D, I}});
    s.push_back({p + "mlp.down_proj.bias", {D}});
  }
  s.push_back({"merger.ln_q.weight", {D}});
  s.push_back({"merger.mlp.0.weight", {M, M}});
  s.push_back({"merger.mlp.0.bias", {M}});
  s.push_back({"merger.mlp.2.weight", {c.out_hidden_size, M}});
  s.push_back({"merger.mlp.2.bias", {c.out_hidden_size}});
  return s;
}

std::string vision_prefix(const safetensors::Checkpoint& ck) {
  for (const char* p : {"visual.", "model.visual."}) {
    if (ck.has(std::string(p) + "patch_embed.proj.weight")) return p;
  }
  throw std::runtime_error("checkpoint '" + ck.path() +
                           "': no vision tower (neither visual.patch_embed.proj.weight nor "
                           "model.visual.patch_embed.proj.weight)");
}

VisionWeights load_vision_weights(const safetensors::Checkpoint& ck, const VisionConfig& config,
                                  at::ScalarType dtype, const at::Device& device) {
  const std::string prefix = vision_prefix(ck);
  const auto specs = vision_tensor_specs(config);
  VisionWeights w;
  w.dtype = dtype;
  const auto fields = field_table(w, config.depth);
  for (size_t i = 0; i < specs.size(); ++i) {
    const std::string name = prefix + specs[i].name;
    if (!ck.has(name)) {
      throw std::runtime_error("checkpoint '" + ck.path() + "': missing tensor " + name + " (expected shape " +
                               shape_str(specs[i].shape) + ")");
    }
    const auto& view = ck.get(name);
    if (view.shape != specs[i].shape) {
      throw std::runtime_error("checkpoint '" + ck.path() + "': tensor " + name + " has shape " +
                               shape_str(view.shape) + ", expected " + shape_str(specs[i].shape));
    }
    if (!at::isFloatingType(safetensors::to_scalar_type(view.dtype))) {
      throw std::runtime_error("checkpoint '" + ck.path() + "': tensor " + name + " has dtype " +
                               std::string(safetensors::dtype_name(view.dtype)) + ", expected a float type");
    }
    *fields[i] = safetensors::to_device_tensor(view, device, dtype, /*copy=*/true);  // owning, detached from the mapping
  }
  w.patch_w = w.patch_w.reshape({config.hidden_size, config.patch_dim()});
  return w;
}

VisionWeights random_vision_weights(const VisionConfig& config, at::ScalarType dtype, uint64_t seed) {
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const auto specs = vision_tensor_specs(config);
  VisionWeights w;
  w.dtype = dtype;
  const auto fields = field_table(w, config.depth);
  for (size_t i = 0; i < specs.size(); ++i) {
    const std::string& n = specs[i].name;
    at::Tensor t;
    if (is_norm(n)) {
      t = at::ones(specs[i].shape, at::kFloat);
    } else {
      const double scale = specs[i].shape.size() == 1 ? 0.01 : 0.02;
      t = at::normal(0.0, scale, specs[i].shape, gen, at::TensorOptions().dtype(at::kFloat));
    }
    *fields[i] = t.to(dtype);
  }
  w.patch_w = w.patch_w.reshape({config.hidden_size, config.patch_dim()});
  return w;
}

}  // namespace pevlm::qwen2_5_vl
