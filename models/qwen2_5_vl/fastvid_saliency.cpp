// FastVID's saliency on the Qwen2.5-VL vision tower; see fastvid_saliency.h.
#include "models/qwen2_5_vl/fastvid_saliency.h"

#include <ATen/ATen.h>

#include <cmath>

#include "models/qwen2_5_vl/vision.h"

namespace pevlm::qwen2_5_vl {
namespace {

// apply_rotary_pos_emb_vision (float32 rotation, cast back), as vision.cpp.
at::Tensor rotate(const at::Tensor& x_NHD, const at::Tensor& cos_ND, const at::Tensor& sin_ND) {
  const at::Tensor xf = x_NHD.to(at::kFloat);
  const int64_t half = xf.size(-1) / 2;
  const at::Tensor rotated = at::cat({xf.slice(-1, half).neg(), xf.slice(-1, 0, half)}, -1);
  return (xf * cos_ND.unsqueeze(1) + rotated * sin_ND.unsqueeze(1)).to(x_NHD.scalar_type());
}

}  // namespace

at::Tensor fastvid_saliency(const at::Tensor& x_window_ND, const VisionBlockWeights& last, const at::Tensor& cos_ND,
                            const at::Tensor& sin_ND, int64_t heads, double eps, const std::vector<GridTHW>& grids,
                            const at::Tensor& window_index, int64_t merge_unit) {
  const at::Tensor x = vision_rms_norm(x_window_ND, last.norm1_w, eps);
  const int64_t n = x.size(0), hd = x.size(1) / heads;
  const at::Tensor qkv = at::linear(x, last.qkv_w, last.qkv_b).reshape({n, 3, heads, hd});
  const at::Tensor q = rotate(qkv.select(1, 0), cos_ND, sin_ND).transpose(0, 1);  // [H, N, hd]
  const at::Tensor k = rotate(qkv.select(1, 1), cos_ND, sin_ND).transpose(0, 1);
  std::vector<at::Tensor> per_grid;
  int64_t begin = 0;
  for (const GridTHW& g : grids) {  // the reference reads grid_thw[0]: one video; here each grid in turn
    const int64_t hw = g.h * g.w, len = g.t * hw;
    const at::Tensor q_mean = q.narrow(1, begin, len).reshape({heads, g.t, hw, hd}).mean(-2, /*keepdim=*/true);
    const at::Tensor k_merge = k.narrow(1, begin, len).reshape({heads, g.t, hw / merge_unit, merge_unit, hd}).mean(-2);
    const at::Tensor scores = at::matmul(q_mean, k_merge.transpose(-2, -1)) / std::sqrt(double(hd));
    const at::Tensor attn = at::softmax(scores, -1, at::kFloat).to(q_mean.scalar_type());
    per_grid.push_back(attn.mean(2).mean(0).reshape({-1}));  // [t * hw / unit], window order
    begin += len;
  }
  const at::Tensor window_order = at::cat(per_grid);
  return window_order.index_select(0, at::argsort(window_index.to(window_order.device()))).to(at::kFloat);
}

}  // namespace pevlm::qwen2_5_vl
