// Q/K whose attention has the structure video attention has (issue 25), for timing data-dependent
// methods: random Q/K attend uniformly and would make XAttention / vertical-slash keep everything.
// Generator (logits of planted parts are exact, by construction on dedicated dimensions):
//   * sink:   keys [0, sink_tokens) get logit  a_sink(h) from every query;
//   * local:  logit a_local(h) * cos(2 pi (i - j) / local_period) (a slow rotary pair: a local diagonal
//             band that also recurs every local_period tokens);
//   * frames: tokens at the same offset within a frame (period frame_tokens, counted from
//             video_begin) share a random unit code: logit a_frame(h) * <c_i, c_j> (frame-periodic
//             diagonals j = i - m * frame_tokens);
//   * noise:  N(0, noise^2) per coordinate on q and k.
// Per query head the amplitudes are a * u, u ~ U(0.25, 1) drawn from `seed`, so heads of one GQA
// group differ. Keys are shared per KV head. Returned in `dtype` on `device`, shapes [L, H, D].
#pragma once

#include <cstdint>
#include <utility>

#include <ATen/core/Tensor.h>

namespace pevlm::attention {

struct PlantedQkSpec {
  int64_t length = 0, heads = 0, kv_heads = 0, head_dim = 0;
  int64_t sink_tokens = 64;
  int64_t video_begin = 0;
  int64_t frame_tokens = 256;
  int64_t local_period = 4096;
  double a_sink = 8.0, a_local = 6.0, a_frame = 6.0;
  double noise = 0.3;
  uint64_t seed = 0;
};

std::pair<at::Tensor, at::Tensor> planted_qk(const PlantedQkSpec& spec, at::ScalarType dtype, const c10::Device& device);

}  // namespace pevlm::attention
