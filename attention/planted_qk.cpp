#include "attention/planted_qk.h"

#include <ATen/ATen.h>

#include <cmath>
#include <stdexcept>

namespace pevlm::attention {

std::pair<at::Tensor, at::Tensor> planted_qk(const PlantedQkSpec& s, at::ScalarType dtype, const c10::Device& device) {
  const int64_t L = s.length, H = s.heads, G = s.kv_heads, D = s.head_dim;
  if (L <= 0 || H <= 0 || G <= 0 || H % G != 0 || D < 8 || s.frame_tokens <= 0)
    throw std::invalid_argument("planted_qk: need L, heads % kv_heads == 0, head_dim >= 8, frame_tokens > 0");
  at::Generator gen = at::detail::createCPUGenerator(s.seed);
  const auto f32 = at::TensorOptions().dtype(at::kFloat);
  at::Tensor q = at::randn({L, H, D}, gen, f32) * s.noise;
  at::Tensor k = at::randn({L, G, D}, gen, f32) * s.noise;
  // q.k is scaled by 1/sqrt(D) in attention: plant q parts multiplied by sqrt(D) so logits are exact.
  const double root = std::sqrt(double(D));
  const int64_t half = D / 2, code_dims = D - half;
  at::Tensor pos = at::arange(L, f32);
  // Keys carry no noise on the planted dimensions (0, 2, 3 and [D/2, D)): the large planted query
  // coordinates would otherwise turn key noise into logit noise.
  k.select(2, 0).zero_();
  k.narrow(2, 2, 2).zero_();
  k.narrow(2, half, code_dims).zero_();
  // Sink: dimension 0.
  k.narrow(0, 0, std::min(s.sink_tokens, L)).select(2, 0).add_(1.0);
  // Local: dimensions 2, 3.
  at::Tensor ang = pos * (2 * M_PI / double(s.local_period));
  at::Tensor cosv = at::cos(ang), sinv = at::sin(ang);
  k.select(2, 2).add_(cosv.unsqueeze(1));
  k.select(2, 3).add_(sinv.unsqueeze(1));
  // Frames: unit codes per offset within a frame, dimensions [D/2, D).
  at::Tensor codes = at::randn({s.frame_tokens, code_dims}, gen, f32);
  codes = codes / codes.norm(2, -1, true);
  at::Tensor offset = at::remainder(at::arange(L, f32.dtype(at::kLong)) - s.video_begin, s.frame_tokens);
  at::Tensor video = (at::arange(L, f32.dtype(at::kLong)) >= s.video_begin).to(at::kFloat).unsqueeze(1);
  at::Tensor c = codes.index_select(0, offset) * video;  // [L, code_dims]; text tokens carry none
  k.narrow(2, half, code_dims).add_(c.unsqueeze(1));
  at::Tensor u = at::rand({H, 3}, gen, f32) * 0.75 + 0.25;
  for (int64_t h = 0; h < H; ++h) {
    const double as = s.a_sink * u[h][0].item<double>() * root, al = s.a_local * u[h][1].item<double>() * root,
                 af = s.a_frame * u[h][2].item<double>() * root;
    at::Tensor qh = q.select(1, h);
    qh.select(1, 0).add_(as);
    qh.select(1, 2).add_(cosv * al);
    qh.select(1, 3).add_(sinv * al);
    qh.narrow(1, half, code_dims).add_(c * af);
  }
  return {q.to(device, dtype), k.to(device, dtype)};
}

}  // namespace pevlm::attention
