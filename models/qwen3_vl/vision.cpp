// Qwen3-VL vision tower; see vision.h.
#include "models/qwen3_vl/vision.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace pevlm::qwen3_vl {
namespace {

at::Tensor rotate_half(const at::Tensor& x) {
  const int64_t half = x.size(-1) / 2;
  return at::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
}

// cos/sin [N, head_dim] float32 of the 2-D rotary (Qwen3VLVisionRotaryEmbedding): inv_freq over
// head_dim / 2 with step 2 (head_dim / 4 frequencies), angles cat(row * f, col * f), then doubled.
std::pair<at::Tensor, at::Tensor> rotary_tables(const at::Tensor& ids_N2, int64_t head_dim, double theta,
                                                const at::Device& device) {
  const int64_t spatial = head_dim / 2;
  at::Tensor exponent = at::arange(0, spatial, 2, at::kLong).to(at::kFloat) / double(spatial);
  at::Tensor inv_freq = 1.0 / at::pow(at::scalar_tensor(theta, at::kFloat), exponent);
  at::Tensor freqs = ids_N2.to(at::kFloat).unsqueeze(-1) * inv_freq;  // [N, 2, hd/4]
  at::Tensor hw = at::cat({freqs.select(1, 0), freqs.select(1, 1)}, -1);
  at::Tensor emb = at::cat({hw, hw}, -1).to(device);
  return {emb.cos(), emb.sin()};
}

// The grids cut into pieces of whole temporal steps holding at most max_patches patches each (a
// step larger than that is a piece of its own); max_patches <= 0: one piece.
std::vector<std::vector<Grid>> split_by_steps(const std::vector<Grid>& grids, int64_t max_patches) {
  if (max_patches <= 0) return {grids};
  std::vector<std::vector<Grid>> pieces(1);
  int64_t in_piece = 0;
  for (const Grid& g : grids) {
    const int64_t step = g.h * g.w;
    for (int64_t t = 0; t < g.t;) {
      if (in_piece > 0 && in_piece + step > max_patches) {
        pieces.emplace_back();
        in_piece = 0;
      }
      const int64_t take = std::min(std::max<int64_t>(1, (max_patches - in_piece) / step), g.t - t);
      pieces.back().push_back({take, g.h, g.w});
      in_piece += take * step;
      t += take;
    }
  }
  return pieces;
}

}  // namespace

VisionTower::VisionTower(VisionConfig config, VisionWeights weights)
    : config_(std::move(config)), weights_(std::move(weights)) {
  if (config_.head_dim() <= 0 || config_.head_dim() % 4 != 0)
    throw std::invalid_argument("Qwen3-VL vision: head_dim " + std::to_string(config_.head_dim()) +
                                " must be a positive multiple of 4");
  if (weights_.deepstack.size() != config_.deepstack_visual_indexes.size())
    throw std::invalid_argument("Qwen3-VL vision: " + std::to_string(weights_.deepstack.size()) +
                                " DeepStack mergers for " + std::to_string(config_.deepstack_visual_indexes.size()) +
                                " deepstack_visual_indexes");
}

VisionTower VisionTower::load(const safetensors::Checkpoint& ck, const VisionConfig& config, at::ScalarType dtype,
                              const at::Device& device) {
  return VisionTower(config, load_vision_weights(ck, config, dtype, device));
}

VisionOutput VisionTower::forward(const at::Tensor& pixel_values, const std::vector<Grid>& grids, VisionTrace* trace,
                                  int64_t chunk_patches) const {
  int64_t total = 0;
  for (const Grid& g : grids) total += g.patches();
  if (pixel_values.dim() != 2 || pixel_values.size(0) != total || pixel_values.size(1) != config_.patch_dim())
    throw std::invalid_argument("Qwen3-VL vision: pixel_values must be [" + std::to_string(total) + ", " +
                                std::to_string(config_.patch_dim()) + "] for the given grids, got " +
                                c10::str(pixel_values.sizes()));
  auto pieces = split_by_steps(grids, trace ? 0 : chunk_patches);
  if (pieces.size() == 1) return forward_piece(pixel_values, grids, trace);
  VisionOutput out;
  std::vector<at::Tensor> embeds;
  std::vector<std::vector<at::Tensor>> deep(config_.deepstack_visual_indexes.size());
  int64_t row = 0;
  for (const auto& piece : pieces) {
    int64_t n = 0;
    for (const Grid& g : piece) n += g.patches();
    VisionOutput part = forward_piece(pixel_values.narrow(0, row, n), piece, nullptr);
    row += n;
    embeds.push_back(part.embeds);
    for (size_t j = 0; j < deep.size(); ++j) deep[j].push_back(part.deepstack[j]);
  }
  out.embeds = at::cat(embeds, 0);
  for (auto& d : deep) out.deepstack.push_back(at::cat(d, 0));
  return out;
}

VisionOutput VisionTower::forward_piece(const at::Tensor& pixels, const std::vector<Grid>& grids,
                                        VisionTrace* trace) const {
  const VisionConfig& c = config_;
  const at::Device device = this->device();
  const at::ScalarType dtype = this->dtype();
  // Conv3d with stride == kernel over one patch row == a linear map of the flattened (C, t, p, p) row.
  at::Tensor x = at::linear(pixels.to(device, dtype), weights_.patch_w.reshape({c.hidden_size, -1}), weights_.patch_b);
  std::vector<at::Tensor> idx, wts, ids;
  for (const Grid& g : grids) {
    InterpolationTaps taps = position_interpolation(g, c.position_grid_side(), c.spatial_merge_size);
    idx.push_back(taps.indices);
    wts.push_back(taps.weights);
    ids.push_back(rotary_position_ids(g, c.spatial_merge_size));
  }
  at::Tensor taps_idx = at::cat(idx, 0).to(device), taps_w = at::cat(wts, 0).to(device);
  // (pos_embed(indices) * weights[:, :, None]).sum(1), in the weights' dtype as transformers.
  at::Tensor pos = (weights_.pos_embed.index_select(0, taps_idx.reshape(-1)).view({taps_idx.size(0), 4, -1}) *
                    taps_w.to(dtype).unsqueeze(-1))
                       .sum(1);
  if (trace) trace->patch_embed = x;
  x = x + pos;
  if (trace) {
    trace->pos_embeds = pos;
    trace->hidden_in = x;
  }
  auto [cos, sin] = rotary_tables(at::cat(ids, 0), c.head_dim(), c.rope_theta, device);
  VisionOutput out;
  for (int64_t n = 0; n < c.depth; ++n) {
    x = block(n, x, cos, sin, grids);
    if (trace) trace->block_out.push_back(x);
    auto it = std::find(c.deepstack_visual_indexes.begin(), c.deepstack_visual_indexes.end(), n);
    if (it != c.deepstack_visual_indexes.end())
      out.deepstack.push_back(merge(weights_.deepstack[size_t(it - c.deepstack_visual_indexes.begin())], x, true));
  }
  // out.deepstack is in block order (transformers appends as the blocks run; decoder layer i gets
  // feature i), each made by the merger at that block's position in deepstack_visual_indexes.
  out.embeds = merge(weights_.merger, x, false);
  return out;
}

at::Tensor VisionTower::block(int64_t n, const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin,
                              const std::vector<Grid>& grids) const {
  const VisionBlockWeights& w = weights_.blocks[size_t(n)];
  const int64_t N = x.size(0), H = config_.num_heads, hd = config_.head_dim(), D = config_.hidden_size;
  at::Tensor h = at::layer_norm(x, {D}, w.norm1_w, w.norm1_b, config_.layer_norm_eps);
  at::Tensor qkv = at::linear(h, w.qkv_w, w.qkv_b).view({N, 3, H, hd});
  at::Tensor q = qkv.select(1, 0), k = qkv.select(1, 1), v = qkv.select(1, 2);
  // apply_rotary_pos_emb_vision: float32 rotation, cast back.
  at::Tensor c = cos.unsqueeze(1), s = sin.unsqueeze(1);
  at::Tensor qf = q.to(at::kFloat), kf = k.to(at::kFloat);
  q = (qf * c + rotate_half(qf) * s).to(x.scalar_type());
  k = (kf * c + rotate_half(kf) * s).to(x.scalar_type());
  // Full attention inside each temporal step: a grid's steps have equal length, one batched call each.
  std::vector<at::Tensor> parts;
  int64_t row = 0;
  for (const Grid& g : grids) {
    const int64_t len = g.h * g.w, rows = g.patches();
    auto heads_first = [&](const at::Tensor& t) { return t.narrow(0, row, rows).view({g.t, len, H, hd}).transpose(1, 2); };
    at::Tensor o = at::scaled_dot_product_attention(heads_first(q), heads_first(k), heads_first(v));
    parts.push_back(o.transpose(1, 2).reshape({rows, D}));
    row += rows;
  }
  at::Tensor attn = parts.size() == 1 ? parts[0] : at::cat(parts, 0);
  at::Tensor y = x + at::linear(attn, w.proj_w, w.proj_b);
  at::Tensor m = at::layer_norm(y, {D}, w.norm2_w, w.norm2_b, config_.layer_norm_eps);
  m = at::gelu(at::linear(m, w.fc1_w, w.fc1_b), "tanh");
  return y + at::linear(m, w.fc2_w, w.fc2_b);
}

at::Tensor VisionTower::merge(const MergerWeights& m, const at::Tensor& x, bool norm_after_shuffle) const {
  const int64_t M = config_.merger_hidden();
  at::Tensor h = norm_after_shuffle
                     ? at::layer_norm(x.reshape({-1, M}), {M}, m.norm_w, m.norm_b, config_.layer_norm_eps)
                     : at::layer_norm(x, {config_.hidden_size}, m.norm_w, m.norm_b, config_.layer_norm_eps).reshape({-1, M});
  return at::linear(at::gelu(at::linear(h, m.fc1_w, m.fc1_b)), m.fc2_w, m.fc2_b);
}

}  // namespace pevlm::qwen3_vl
