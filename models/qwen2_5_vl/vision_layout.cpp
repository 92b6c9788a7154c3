// Vision-tower token bookkeeping; see vision_layout.h.
// Compare transformers 4.50 modeling_qwen2_5_vl.py: get_window_index, rot_pos_emb, forward.
#include "models/qwen2_5_vl/vision_layout.h"

#include <stdexcept>
#include <string>

namespace pevlm::qwen2_5_vl {
namespace {

void check_grid(const GridTHW& g, int64_t merge, const char* what) {
  if (g.t <= 0 || g.h <= 0 || g.w <= 0 || merge <= 0 || g.h % merge != 0 || g.w % merge != 0) {
    throw std::invalid_argument(std::string(what) + ": grid (t=" + std::to_string(g.t) + ", h=" +
                                std::to_string(g.h) + ", w=" + std::to_string(g.w) +
                                ") must be positive with h, w multiples of spatial_merge_size " +
                                std::to_string(merge));
  }
}

}  // namespace

WindowIndex vision_window_index(const std::vector<GridTHW>& grids, int64_t merge, int64_t window_merged) {
  if (window_merged <= 0) {
    throw std::invalid_argument("vision_window_index: window_merged (window_size / merge / patch) must be "
                                "positive, got " + std::to_string(window_merged));
  }
  WindowIndex out;
  std::vector<int64_t> index;
  out.cu_window_seqlens_raw.push_back(0);
  int64_t base = 0;  // window_index_id: merged tokens of the previous grids
  const int64_t unit = merge * merge;
  for (const GridTHW& g : grids) {
    check_grid(g, merge, "vision_window_index");
    const int64_t lh = g.h / merge, lw = g.w / merge;
    // Transformers pads by window - n % window, so a divisible side gains a whole empty window.
    const int64_t nwh = (lh + window_merged - lh % window_merged) / window_merged;
    const int64_t nww = (lw + window_merged - lw % window_merged) / window_merged;
    for (int64_t t = 0; t < g.t; ++t) {
      for (int64_t wy = 0; wy < nwh; ++wy) {
        for (int64_t wx = 0; wx < nww; ++wx) {
          int64_t count = 0;
          for (int64_t y = wy * window_merged; y < std::min(lh, (wy + 1) * window_merged); ++y) {
            for (int64_t x = wx * window_merged; x < std::min(lw, (wx + 1) * window_merged); ++x) {
              index.push_back(base + (t * lh + y) * lw + x);
              ++count;
            }
          }
          out.cu_window_seqlens_raw.push_back(out.cu_window_seqlens_raw.back() + count * unit);
        }
      }
    }
    base += g.t * lh * lw;
  }
  for (int64_t v : out.cu_window_seqlens_raw) {  // torch.unique_consecutive
    if (out.cu_window_seqlens.empty() || out.cu_window_seqlens.back() != v) out.cu_window_seqlens.push_back(v);
  }
  out.window_index = at::tensor(index, at::kLong);
  return out;
}

std::vector<int64_t> vision_full_cu_seqlens(const std::vector<GridTHW>& grids) {
  std::vector<int64_t> cu{0};
  for (const GridTHW& g : grids) {
    for (int64_t t = 0; t < g.t; ++t) cu.push_back(cu.back() + g.h * g.w);
  }
  return cu;
}

at::Tensor vision_rot_pos_ids(const std::vector<GridTHW>& grids, int64_t merge) {
  std::vector<int64_t> ids;
  for (const GridTHW& g : grids) {
    check_grid(g, merge, "vision_rot_pos_ids");
    // hpos/wpos reshaped (h/m, m, w/m, m) and permuted (0, 2, 1, 3): merge blocks in raster
    // order, then the patch inside the block; repeated for each time step.
    for (int64_t t = 0; t < g.t; ++t) {
      for (int64_t by = 0; by < g.h / merge; ++by) {
        for (int64_t bx = 0; bx < g.w / merge; ++bx) {
          for (int64_t iy = 0; iy < merge; ++iy) {
            for (int64_t ix = 0; ix < merge; ++ix) {
              ids.push_back(by * merge + iy);
              ids.push_back(bx * merge + ix);
            }
          }
        }
      }
    }
  }
  return at::tensor(ids, at::kLong).reshape({-1, 2});
}

at::Tensor vision_rot_pos_emb(const std::vector<GridTHW>& grids, int64_t merge, int64_t head_dim,
                              double theta) {
  if (head_dim <= 0 || head_dim % 4 != 0) {
    throw std::invalid_argument("vision_rot_pos_emb: head_dim must be a positive multiple of 4, got " +
                                std::to_string(head_dim));
  }
  const int64_t dim = head_dim / 2;
  at::Tensor pos_N2 = vision_rot_pos_ids(grids, merge);
  int64_t max_grid = 0;
  for (const GridTHW& g : grids) max_grid = std::max({max_grid, g.h, g.w});
  // Qwen2_5_VisionRotaryEmbedding(dim): inv_freq = 1 / theta ** (arange(0, dim, 2, float) / dim);
  // forward(seqlen) = outer(arange(seqlen, float), inv_freq). Same float32 ops here.
  at::Tensor inv_freq = at::pow(theta, at::arange(0, dim, 2, at::kFloat).div(double(dim))).reciprocal();
  at::Tensor table_SF = at::outer(at::arange(max_grid, at::kFloat), inv_freq);  // [max_grid, dim/2]
  return table_SF.index_select(0, pos_N2.reshape({-1})).reshape({pos_N2.size(0), dim});
}

at::Tensor to_window_order(const at::Tensor& x_ND, const at::Tensor& window_index, int64_t merge_unit) {
  const int64_t n = x_ND.size(0);
  if (n != window_index.size(0) * merge_unit) {
    throw std::invalid_argument("to_window_order: " + std::to_string(n) + " rows but window_index has " +
                                std::to_string(window_index.size(0)) + " merged tokens of " +
                                std::to_string(merge_unit) + " patches");
  }
  at::Tensor grouped = x_ND.reshape({n / merge_unit, merge_unit, -1}).index_select(0, window_index);
  std::vector<int64_t> shape = x_ND.sizes().vec();
  return grouped.reshape(shape);
}

}  // namespace pevlm::qwen2_5_vl
