// mlp_downsample projector; see projector.h.
#include "models/longvila/projector.h"

#include <ATen/ATen.h>

#include <stdexcept>

#include "models/safetensors/torch_tensor.h"

namespace pevlm::longvila {

at::Tensor space_to_channel(const at::Tensor& feat_TNC) {
  const int64_t T = feat_TNC.size(0), N = feat_TNC.size(1), C = feat_TNC.size(2);
  int64_t g = 0;
  while (g * g < N) ++g;
  if (g * g != N) throw std::invalid_argument("space_to_channel: " + std::to_string(N) + " tokens are not a square grid");
  at::Tensor x = feat_TNC.reshape({T, g, g, C});
  // flat_square pads odd sides with zeros (rows first, then columns).
  if (g % 2) x = at::constant_pad_nd(x, {0, 0, 0, 1, 0, 1});
  const int64_t h = (g + 1) / 2;
  // [T, 2h(rows), 2h(cols), C] -> [T, rows/2, 2, cols/2, 2, C] -> [T, rows/2, cols/2, (2 rows, 2 cols, C)].
  return x.view({T, h, 2, h, 2, C}).permute({0, 1, 3, 2, 4, 5}).reshape({T, h * h, 4 * C});
}

std::vector<ProjectorWeightSpec> projector_weight_table(int64_t vision_hidden, int64_t hidden) {
  const int64_t c4 = 4 * vision_hidden;
  return {{"layers.1.weight", {c4}},         {"layers.1.bias", {c4}},     {"layers.2.weight", {hidden, c4}},
          {"layers.2.bias", {hidden}},       {"layers.4.weight", {hidden, hidden}}, {"layers.4.bias", {hidden}}};
}

Projector Projector::load(const safetensors::Checkpoint& ck, int64_t vision_hidden, int64_t hidden, const at::Device& device,
                          at::ScalarType dtype) {
  const std::string what = "mlp_downsample (4 x vision hidden " + std::to_string(vision_hidden) + " -> LLM hidden " +
                           std::to_string(hidden) + ")";
  const std::vector<ProjectorWeightSpec> table = projector_weight_table(vision_hidden, hidden);
  auto get = [&](size_t i) { return safetensors::load_checked(ck, table[i].name, table[i].shape, device, dtype, what); };
  Projector p{get(0), get(1), get(2), get(3), get(4), get(5)};
  p.mapping = std::make_shared<const safetensors::Checkpoint>(ck);
  return p;
}

at::Tensor Projector::forward(const at::Tensor& feat_TNC) const {
  at::Tensor x = space_to_channel(feat_TNC);
  x = at::layer_norm(x, {x.size(-1)}, ln_w, ln_b, ln_eps);
  return at::linear(at::gelu(at::linear(x, l1_w, l1_b)), l2_w, l2_b);
}

}  // namespace pevlm::longvila
