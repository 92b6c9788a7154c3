// Matched-token baselines: uniform frames and 2x2 spatial pooling; see matched_baselines.h.
#include "reduction/matched_baselines.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "reduction/reduced_layout.h"

namespace pevlm::reduction {
namespace {

std::vector<const Span*> frame_spans(const TokenLayout& layout) {
  std::vector<const Span*> out;
  for (const Span& s : layout.spans)
    if (s.kind == SpanKind::Frame) out.push_back(&s);
  return out;
}

// np.linspace(0, n - 1, m).astype(int): start + i * step with step = (n - 1) / (m - 1), the last one exactly
// n - 1, truncated.
std::vector<int64_t> linspace_int(int64_t n, int64_t m) {
  std::vector<int64_t> out;
  if (m == 1) return {0};
  const double step = double(n - 1) / double(m - 1);
  for (int64_t i = 0; i < m; ++i) out.push_back(i + 1 == m ? n - 1 : static_cast<int64_t>(double(i) * step));
  return out;
}

int64_t isqrt(int64_t v) {
  int64_t g = static_cast<int64_t>(std::sqrt(double(v)));
  while (g * g > v) --g;
  while ((g + 1) * (g + 1) <= v) ++g;
  return g;
}

}  // namespace

std::vector<int64_t> uniform_frames(const TokenLayout& layout, int64_t budget) {
  const auto frames = frame_spans(layout);
  if (frames.empty()) throw std::invalid_argument("uniform_frames: the layout has no frames");
  if (budget < 1) throw std::invalid_argument("uniform_frames: the visual-token budget must be >= 1, got " + std::to_string(budget));
  const int64_t n = int64_t(frames.size());
  for (int64_t m = n; m > 1; --m) {
    const std::vector<int64_t> chosen = linspace_int(n, m);
    int64_t tokens = 0;
    for (int64_t f : chosen) tokens += frames[size_t(f)]->visual_end() - frames[size_t(f)]->visual_begin();
    if (tokens <= budget) return chosen;
  }
  return {0};  // at least one frame stays, as a sampler never returns no frame
}

std::vector<int64_t> uniform_frames_select(const TokenLayout& layout, int64_t budget) {
  // Fewer frames, as a sampler taking only these would build the prompt: a dropped frame leaves with
  // its non-visual tokens (Qwen3-VL's timestamp and vision start/end), the kept ones keep theirs.
  std::vector<bool> keep(size_t(layout.length), true);
  for (const Span* s : frame_spans(layout))
    for (int64_t i = s->begin; i < s->end; ++i) keep[size_t(i)] = false;
  const auto frames = frame_spans(layout);
  for (int64_t f : uniform_frames(layout, budget))
    for (int64_t i = frames[size_t(f)]->begin; i < frames[size_t(f)]->end; ++i) keep[size_t(i)] = true;
  std::vector<int64_t> kept;
  for (int64_t i = 0; i < layout.length; ++i)
    if (keep[size_t(i)]) kept.push_back(i);
  return kept;
}

std::vector<FrameGrid> frame_grids(const TokenLayout& layout) {
  std::vector<FrameGrid> out;
  for (const Span* s : frame_spans(layout)) {
    // The frame's visual tokens (Qwen3-VL: without its timestamp and vision start/end tokens).
    const int64_t vb = s->visual_begin(), ve = s->visual_end(), size = ve - vb;
    const std::string where = "spatial_pool: frame " + std::to_string(s->frame_index) + " (visual tokens " +
                              std::to_string(vb) + ".." + std::to_string(ve) + ")";
    FrameGrid g{vb, 0, 0, 0, ve};
    if (layout.positions.axes == 3) {
      const auto& p = layout.positions;
      int64_t h0 = p.at(1, vb), w0 = p.at(2, vb), h1 = h0, w1 = w0;
      for (int64_t i = vb; i < ve; ++i) {
        h1 = std::max(h1, p.at(1, i));
        w1 = std::max(w1, p.at(2, i));
      }
      g.rows = h1 - h0 + 1;
      g.cols = w1 - w0 + 1;
      g.row_stride = g.cols;
      if (g.rows * g.cols != size)
        throw std::invalid_argument(where + ": its M-RoPE h/w ids span " + std::to_string(g.rows) + " x " +
                                    std::to_string(g.cols) + " but it has " + std::to_string(size) + " tokens");
      for (int64_t r = 0; r < g.rows; ++r)
        for (int64_t c = 0; c < g.cols; ++c)
          if (p.at(1, g.token(r, c)) != h0 + r || p.at(2, g.token(r, c)) != w0 + c)
            throw std::invalid_argument(where + ": its tokens are not a row-major h x w grid");
    } else {
      const int64_t n = size, a = isqrt(n), b = isqrt(n - 1);
      if (a * a == n) g = {vb, a, a, a, ve};
      else if (b * b == n - 1) g = {vb, b, b, b, ve};  // trailing newline token
      else if (a * (a + 1) == n) g = {vb, a, a, a + 1, ve};  // a newline after each row
      else
        throw std::invalid_argument(where + ": " + std::to_string(n) +
                                    " tokens are no g x g grid (with or without newline tokens)");
    }
    out.push_back(g);
  }
  return out;
}

TokenMerge spatial_pool_frames(const TokenLayout& layout, const std::vector<bool>& pooled) {
  std::vector<std::pair<int64_t, std::vector<std::pair<int64_t, float>>>> rows;  // (representative, sources)
  std::vector<bool> in_grid(size_t(layout.length), false);
  const std::vector<FrameGrid> grids = frame_grids(layout);
  if (pooled.size() != grids.size())
    throw std::invalid_argument("spatial_pool: " + std::to_string(pooled.size()) + " flags for " +
                                std::to_string(grids.size()) + " frames");
  for (size_t f = 0; f < grids.size(); ++f) {
    if (!pooled[f]) continue;
    const FrameGrid& g = grids[f];
    for (int64_t r = 0; r < g.rows; ++r)
      for (int64_t c = 0; c < g.cols; ++c) in_grid[size_t(g.token(r, c))] = true;
    for (int64_t r = 0; r < g.rows; r += 2) {
      for (int64_t c = 0; c < g.cols; c += 2) {
        std::vector<int64_t> window;
        for (int64_t dr = 0; dr < 2 && r + dr < g.rows; ++dr)
          for (int64_t dc = 0; dc < 2 && c + dc < g.cols; ++dc) window.push_back(g.token(r + dr, c + dc));
        std::vector<std::pair<int64_t, float>> src;
        for (int64_t t : window) src.emplace_back(t, 1.0f / float(window.size()));
        rows.emplace_back(window.front(), std::move(src));
      }
      // A newline after each row: the pooled row keeps the newline of its window's last row.
      if (g.row_stride > g.cols) {
        const int64_t nl = g.begin + std::min(r + 1, g.rows - 1) * g.row_stride + g.cols;
        rows.emplace_back(nl, std::vector<std::pair<int64_t, float>>{});
        in_grid[size_t(g.begin + r * g.row_stride + g.cols)] = true;
        if (r + 1 < g.rows) in_grid[size_t(g.begin + (r + 1) * g.row_stride + g.cols)] = true;
      }
    }
  }
  for (int64_t i = 0; i < layout.length; ++i)
    if (!in_grid[size_t(i)]) rows.emplace_back(i, std::vector<std::pair<int64_t, float>>{});
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  TokenMerge m;
  for (auto& [rep, src] : rows) {
    m.representative.push_back(rep);
    m.sources.push_back(std::move(src));
  }
  return m;
}

TokenMerge spatial_pool_merge(const TokenLayout& layout, int64_t budget) {
  const int64_t frames = layout.num_frames();
  if (frames == 0) throw std::invalid_argument("spatial_pool: the layout has no frames");
  std::vector<bool> visual(size_t(layout.length), false);
  for (int64_t i : frame_tokens(layout)) visual[size_t(i)] = true;
  auto visual_after = [&](const TokenMerge& m) {
    return std::count_if(m.representative.begin(), m.representative.end(), [&](int64_t i) { return visual[size_t(i)]; });
  };
  if (budget < 0) return spatial_pool_frames(layout, std::vector<bool>(size_t(frames), true));
  int64_t all_pooled = 0;
  for (int64_t m = 0; m <= frames; ++m) {
    std::vector<bool> pooled(size_t(frames), false);
    if (m > 0)
      for (int64_t f : linspace_int(frames, m)) pooled[size_t(f)] = true;
    TokenMerge merge = spatial_pool_frames(layout, pooled);
    const int64_t count = visual_after(merge);
    if (count <= budget) return merge;
    all_pooled = count;
  }
  throw std::invalid_argument("spatial_pool: pooling every frame leaves " + std::to_string(all_pooled) +
                              " visual tokens, more than the budget of " + std::to_string(budget) +
                              " (combine with uniform_frames for fewer)");
}

}  // namespace pevlm::reduction
