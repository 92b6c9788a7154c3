// LongVILA's mlp_downsample projector (VILA llava/model/multimodal_projector/base_projector.py):
// DownSampleBlock = 2x2 space-to-channel of the patch grid (odd grids zero-padded at the bottom /
// right; channel order (r,c), (r,c+1), (r+1,c), (r+1,c+1)), then LayerNorm(4C) -> Linear(4C, H) ->
// GELU (erf) -> Linear(H, H). Weights: mm_projector/model.safetensors layers.{1,2,4}.{weight,bias}.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "models/safetensors/safetensors.h"

namespace pevlm::longvila {

// feat_TNC [T, g*g, C] -> [T, ceil(g/2)^2, 4C] (DownSampleBlock.flat_square).
at::Tensor space_to_channel(const at::Tensor& feat_TNC);

// One tensor of mm_projector/model.safetensors with its shape.
struct ProjectorWeightSpec {
  std::string name;
  std::vector<int64_t> shape;
};
// The projector's tensors for vision width `vision_hidden` and LLM width `hidden`, in the order of
// Projector's fields: layers.1 (LayerNorm(4C)), layers.2 (Linear(4C, H)), layers.4 (Linear(H, H)), weight then
// bias. The loader and the tiny writer (tiny_model.cpp) both read this table.
std::vector<ProjectorWeightSpec> projector_weight_table(int64_t vision_hidden, int64_t hidden);

struct Projector {
  at::Tensor ln_w, ln_b, l1_w, l1_b, l2_w, l2_b;
  double ln_eps = 1e-5;  // nn.LayerNorm default
  // Keeps the file mapping alive: on the CPU the weights are zero-copy views of it when the dtypes match.
  std::shared_ptr<const safetensors::Checkpoint> mapping;

  // Loads layers.{1,2,4} for vision width `vision_hidden` and LLM width `hidden`; errors name the
  // checkpoint, tensor, file and expected shape.
  static Projector load(const safetensors::Checkpoint& checkpoint, int64_t vision_hidden, int64_t hidden,
                        const at::Device& device, at::ScalarType dtype);
  // SigLIP features [T, g*g, C] -> [T, ceil(g/2)^2, hidden].
  at::Tensor forward(const at::Tensor& feat_TNC) const;
  std::vector<at::Tensor> tensors() const { return {ln_w, ln_b, l1_w, l1_b, l2_w, l2_b}; }
};

}  // namespace pevlm::longvila
