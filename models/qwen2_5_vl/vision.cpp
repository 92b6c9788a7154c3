// Qwen2.5-VL vision tower forward; see vision.h.
// Compare transformers 4.50 modeling_qwen2_5_vl.py (Qwen2_5_VisionTransformerPretrainedModel).
#include "models/qwen2_5_vl/vision.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "models/qwen2_5_vl/fastvid_saliency.h"
#include "models/qwen2_5_vl/vision_layout.h"

namespace pevlm::qwen2_5_vl {
namespace {

// rotate_half: cat(-x[..., d/2:], x[..., :d/2]).
at::Tensor rotate_half(const at::Tensor& x) {
  const int64_t half = x.size(-1) / 2;
  return at::cat({x.slice(-1, half).neg(), x.slice(-1, 0, half)}, -1);
}

// apply_rotary_pos_emb_vision: float32 rotation, cast back. x [N, H, hd], cos/sin [N, hd] f32.
at::Tensor apply_rotary(const at::Tensor& x_NHD, const at::Tensor& cos_ND, const at::Tensor& sin_ND) {
  at::Tensor xf = x_NHD.to(at::kFloat);
  at::Tensor c = cos_ND.unsqueeze(1), s = sin_ND.unsqueeze(1);
  return (xf * c + rotate_half(xf) * s).to(x_NHD.scalar_type());
}

// Everything a block needs besides its weights.
struct BlockContext {
  const std::vector<int64_t>* cu_seqlens;  // segments of this block (window or full)
  at::Tensor cos_ND, sin_ND;               // [N, hd] float32, window order
  int64_t heads;
  double eps;
};

at::Tensor attention(const at::Tensor& x_ND, const VisionBlockWeights& w, const BlockContext& ctx) {
  const int64_t N = x_ND.size(0), D = x_ND.size(1), hd = D / ctx.heads;
  at::Tensor qkv = at::linear(x_ND, w.qkv_w, w.qkv_b).reshape({N, 3, ctx.heads, hd});
  at::Tensor q = apply_rotary(qkv.select(1, 0), ctx.cos_ND, ctx.sin_ND);
  at::Tensor k = apply_rotary(qkv.select(1, 1), ctx.cos_ND, ctx.sin_ND);
  at::Tensor v = qkv.select(1, 2);
  at::Tensor o_NHD = segment_attention(q, k, v, *ctx.cu_seqlens);
  return at::linear(o_NHD.reshape({N, D}), w.proj_w, w.proj_b);
}

// Qwen2_5_VLVisionBlock: x += attn(norm1(x)); x += down(silu(gate(n)) * up(n)), n = norm2(x).
at::Tensor block_forward(at::Tensor x_ND, const VisionBlockWeights& w, const BlockContext& ctx) {
  x_ND = x_ND + attention(vision_rms_norm(x_ND, w.norm1_w, ctx.eps), w, ctx);
  at::Tensor n = vision_rms_norm(x_ND, w.norm2_w, ctx.eps);
  at::Tensor h = at::silu(at::linear(n, w.gate_w, w.gate_b)) * at::linear(n, w.up_w, w.up_b);
  return x_ND + at::linear(h, w.down_w, w.down_b);
}

// Qwen2_5_VLPatchMerger: RMSNorm -> groups of merge_unit rows as one vector -> Linear ->
// GELU (exact erf) -> Linear.
at::Tensor merger_forward(const at::Tensor& x_ND, const VisionWeights& w, const VisionConfig& c) {
  at::Tensor n = vision_rms_norm(x_ND, w.merger_ln_w, c.rms_norm_eps).reshape({-1, c.merger_hidden()});
  at::Tensor h = at::gelu(at::linear(n, w.merger_fc1_w, w.merger_fc1_b), "none");
  return at::linear(h, w.merger_fc2_w, w.merger_fc2_b);
}

void check_config(const VisionConfig& c) {
  const bool ok = c.depth > 0 && c.hidden_size > 0 && c.num_heads > 0 && c.hidden_size % c.num_heads == 0 &&
                  c.head_dim() % 4 == 0 && c.spatial_merge_size > 0 && c.window_merged_tokens() > 0 &&
                  c.out_hidden_size > 0;
  if (!ok) {
    throw std::invalid_argument("VisionTower: vision config '" + std::string("hidden ") +
                                std::to_string(c.hidden_size) + ", heads " + std::to_string(c.num_heads) +
                                ", depth " + std::to_string(c.depth) + ", window " + std::to_string(c.window_size) +
                                "' is inconsistent: need hidden % heads == 0, head_dim % 4 == 0, "
                                "window_size >= patch * merge");
  }
}

}  // namespace

at::ScalarType default_vision_dtype(const std::string& torch_dtype) {
  return (torch_dtype == "float32" || torch_dtype == "fp32") ? at::kFloat : at::kBFloat16;
}

at::Tensor vision_rms_norm(const at::Tensor& x_ND, const at::Tensor& weight_D, double eps) {
  at::Tensor xf = x_ND.to(at::kFloat);
  at::Tensor var = xf.pow(2).mean(-1, /*keepdim=*/true);
  return weight_D * (xf * at::rsqrt(var + eps)).to(x_ND.scalar_type());
}

at::Tensor segment_attention(const at::Tensor& q_NHD, const at::Tensor& k_NHD, const at::Tensor& v_NHD,
                             const std::vector<int64_t>& cu) {
  const int64_t N = q_NHD.size(0), H = q_NHD.size(1), hd = q_NHD.size(2);
  if (cu.empty() || cu.front() != 0 || cu.back() != N) {
    throw std::invalid_argument("segment_attention: cu_seqlens must run from 0 to " + std::to_string(N) +
                                " tokens, got " + (cu.empty() ? std::string("none") : std::to_string(cu.back())));
  }
  const double scale = 1.0 / std::sqrt(double(hd));
  std::vector<at::Tensor> outs;
  size_t i = 0;
  while (i + 1 < cu.size()) {
    const int64_t len = cu[i + 1] - cu[i];
    size_t j = i + 1;  // extend the run of equal-length segments
    while (j + 1 < cu.size() && cu[j + 1] - cu[j] == len) ++j;
    const int64_t begin = cu[i], count = int64_t(j - i);
    if (len > 0) {
      auto to_batch = [&](const at::Tensor& x) {  // [count*len, H, hd] -> [count, H, len, hd]
        return x.slice(0, begin, begin + count * len).reshape({count, len, H, hd}).transpose(1, 2);
      };
      at::Tensor o = at::scaled_dot_product_attention(to_batch(q_NHD), to_batch(k_NHD), to_batch(v_NHD),
                                                      std::nullopt, 0.0, /*is_causal=*/false, scale);
      outs.push_back(o.transpose(1, 2).reshape({count * len, H, hd}));
    }
    i = j;
  }
  return at::cat(outs, 0);
}

VisionTower::VisionTower(VisionConfig config, VisionWeights weights)
    : config_(std::move(config)), weights_(std::move(weights)) {
  check_config(config_);
  if (int64_t(weights_.blocks.size()) != config_.depth) {
    throw std::invalid_argument("VisionTower: " + std::to_string(weights_.blocks.size()) +
                                " blocks of weights for depth " + std::to_string(config_.depth));
  }
}

VisionTower VisionTower::load(const safetensors::Checkpoint& checkpoint, const VisionConfig& config,
                              at::ScalarType dtype, const at::Device& device) {
  return VisionTower(config, load_vision_weights(checkpoint, config, dtype, device));
}

std::vector<at::Tensor> VisionTower::tensors() const {
  std::vector<at::Tensor> out = {weights_.patch_w, weights_.merger_ln_w, weights_.merger_fc1_w, weights_.merger_fc1_b,
                                 weights_.merger_fc2_w, weights_.merger_fc2_b};
  for (const VisionBlockWeights& b : weights_.blocks)
    for (const at::Tensor& t : {b.norm1_w, b.norm2_w, b.qkv_w, b.qkv_b, b.proj_w, b.proj_b, b.gate_w, b.gate_b, b.up_w,
                                b.up_b, b.down_w, b.down_b})
      out.push_back(t);
  return out;
}

std::vector<std::vector<GridTHW>> split_grids_by_steps(const std::vector<GridTHW>& grids, int64_t max_patches) {
  std::vector<std::vector<GridTHW>> pieces(1);
  int64_t in_piece = 0;
  for (const GridTHW& g : grids) {
    const int64_t step = g.h * g.w;
    for (int64_t t = 0; t < g.t;) {
      if (max_patches > 0 && in_piece > 0 && in_piece + step > max_patches) {
        pieces.emplace_back();
        in_piece = 0;
      }
      // As many steps of this grid as fit (at least one).
      const int64_t room = max_patches > 0 ? std::max<int64_t>(1, (max_patches - in_piece) / step) : g.t;
      const int64_t take = std::min(room, g.t - t);
      pieces.back().push_back(GridTHW{take, g.h, g.w});
      in_piece += take * step;
      t += take;
    }
  }
  return pieces;
}

at::Tensor VisionTower::forward(const at::Tensor& pixel_values, const std::vector<GridTHW>& grids,
                                VisionTrace* trace, int64_t chunk_patches, at::Tensor* fastvid_saliency) const {
  const VisionConfig& c = config_;
  int64_t n = 0;
  for (const GridTHW& g : grids) n += g.patches();
  if (grids.empty() || pixel_values.dim() != 2 || pixel_values.size(0) != n ||
      pixel_values.size(1) != c.patch_dim()) {
    throw std::invalid_argument("VisionTower::forward: pixel_values must be [" + std::to_string(n) + ", " +
                                std::to_string(c.patch_dim()) + "] for the given grids (sum of t*h*w rows)");
  }
  const auto pieces = split_grids_by_steps(grids, trace ? 0 : chunk_patches);
  if (pieces.size() == 1) return forward_piece(pixel_values, grids, trace, fastvid_saliency);
  std::vector<at::Tensor> outs, saliency;
  int64_t row = 0;
  for (const auto& piece : pieces) {
    int64_t rows = 0;
    for (const GridTHW& g : piece) rows += g.patches();
    at::Tensor piece_saliency;
    outs.push_back(forward_piece(pixel_values.narrow(0, row, rows), piece, nullptr,
                                 fastvid_saliency ? &piece_saliency : nullptr));
    if (fastvid_saliency) saliency.push_back(piece_saliency);
    row += rows;
  }
  if (fastvid_saliency) *fastvid_saliency = at::cat(saliency, 0);
  return at::cat(outs, 0);
}

at::Tensor VisionTower::forward_piece(const at::Tensor& pixel_values, const std::vector<GridTHW>& grids,
                                      VisionTrace* trace, at::Tensor* fastvid_saliency) const {
  const VisionConfig& c = config_;
  const at::Device device = this->device();
  const int64_t unit = c.merge_unit();
  // Patch embedding: Conv3d with stride = kernel is a matmul over the flattened patch.
  at::Tensor x_ND = at::linear(pixel_values.to(device, weights_.dtype), weights_.patch_w);
  if (trace) trace->patch_embed = x_ND;

  WindowIndex win = vision_window_index(grids, c.spatial_merge_size, c.window_merged_tokens());
  win.window_index = win.window_index.to(device);
  const std::vector<int64_t> full_cu = vision_full_cu_seqlens(grids);
  at::Tensor rot_NR = vision_rot_pos_emb(grids, c.spatial_merge_size, c.head_dim()).to(device);  // [N, hd/2]
  rot_NR = to_window_order(rot_NR, win.window_index, unit);
  at::Tensor emb_ND = at::cat({rot_NR, rot_NR}, -1);
  BlockContext ctx{nullptr, emb_ND.cos(), emb_ND.sin(), c.num_heads, c.rms_norm_eps};

  x_ND = to_window_order(x_ND, win.window_index, unit);
  if (trace) trace->block_out.clear();
  for (int64_t b = 0; b < c.depth; ++b) {
    const bool full = std::find(c.fullatt_block_indexes.begin(), c.fullatt_block_indexes.end(), b) !=
                      c.fullatt_block_indexes.end();
    ctx.cu_seqlens = full ? &full_cu : &win.cu_window_seqlens;
    if (fastvid_saliency && b == c.depth - 1)
      *fastvid_saliency = qwen2_5_vl::fastvid_saliency(x_ND, weights_.blocks[size_t(b)], ctx.cos_ND, ctx.sin_ND, c.num_heads,
                                                       c.rms_norm_eps, grids, win.window_index, unit);
    x_ND = block_forward(x_ND, weights_.blocks[size_t(b)], ctx);
    if (trace) trace->block_out.push_back(x_ND);
  }
  at::Tensor merged_MO = merger_forward(x_ND, weights_, c);
  if (trace) trace->merger_out_window_order = merged_MO;
  return merged_MO.index_select(0, at::argsort(win.window_index));
}

}  // namespace pevlm::qwen2_5_vl
