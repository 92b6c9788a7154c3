// M-RoPE position ids; see rope_index.h.
// Compare transformers 4.50 modeling_qwen2_5_vl.py get_rope_index (video branch).
#include "models/qwen2_5_vl/rope_index.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace pevlm::qwen2_5_vl {
namespace {

// Ids under construction: three rows plus the running maximum (st_idx = max + 1).
struct Builder {
  std::vector<int64_t> t, h, w;
  int64_t next = 0;  // index the next text token gets

  void text(int64_t count) {
    for (int64_t i = 0; i < count; ++i) {
      t.push_back(next + i);
      h.push_back(next + i);
      w.push_back(next + i);
    }
    next += count;
  }

  void video(const VideoSpec& v, const RopeIndexOptions& o) {
    const int64_t m = o.spatial_merge_size;
    const int64_t lh = v.grid.h / m, lw = v.grid.w / m;
    const int64_t start = next;
    int64_t max_id = start - 1;
    for (int64_t k = 0; k < v.grid.t; ++k) {
      const int64_t tk = start + mrope_temporal_id(k, v.second_per_grid_t, o);
      for (int64_t y = 0; y < lh; ++y) {
        for (int64_t x = 0; x < lw; ++x) {
          t.push_back(tk);
          h.push_back(start + y);
          w.push_back(start + x);
          max_id = std::max({max_id, tk, start + y, start + x});
        }
      }
    }
    next = o.text_after_video == TextAfterVideo::MaxPlusOne ? max_id + 1 : start + std::max(lh, lw);
  }

  RopeIndex finish() const {
    RopeIndex out;
    const int64_t L = int64_t(t.size());
    out.positions = PositionIds(3, L);
    int64_t max_id = -1;
    for (int64_t i = 0; i < L; ++i) {
      out.positions.at(0, i) = t[i];
      out.positions.at(1, i) = h[i];
      out.positions.at(2, i) = w[i];
      max_id = std::max({max_id, t[i], h[i], w[i]});
    }
    out.rope_delta = max_id + 1 - L;
    return out;
  }
};

int64_t video_tokens(const VideoSpec& v, const RopeIndexOptions& o, size_t which) {
  const int64_t m = o.spatial_merge_size;
  if (m <= 0 || v.grid.t <= 0 || v.grid.h <= 0 || v.grid.w <= 0 || v.grid.h % m || v.grid.w % m) {
    throw std::invalid_argument("mrope_index: video " + std::to_string(which) + " has grid (t=" +
                                std::to_string(v.grid.t) + ", h=" + std::to_string(v.grid.h) + ", w=" +
                                std::to_string(v.grid.w) + "); expected positive sizes with h, w multiples of " +
                                std::to_string(m));
  }
  return v.grid.t * (v.grid.h / m) * (v.grid.w / m);
}

}  // namespace

int64_t mrope_temporal_id(int64_t k, double second_per_grid_t, const RopeIndexOptions& o) {
  if (o.temporal_rule == TemporalRule::TruncateSecondPerGrid) {
    return k * int64_t(second_per_grid_t) * int64_t(o.tokens_per_second);
  }
  // 4.50: (arange(t) * second_per_grid_t * tokens_per_second).long() with a float32
  // second_per_grid_ts tensor: two float32 products, then truncation toward zero.
  const float prod = float(k) * float(second_per_grid_t);
  return int64_t(std::trunc(prod * float(o.tokens_per_second)));
}

RopeIndex mrope_index(const std::vector<int64_t>& input_ids, int64_t video_token_id,
                      const std::vector<VideoSpec>& videos, const RopeIndexOptions& options) {
  Builder b;
  size_t next_video = 0;
  const int64_t L = int64_t(input_ids.size());
  int64_t i = 0;
  while (i < L) {
    int64_t j = i;
    while (j < L && input_ids[j] != video_token_id) ++j;
    b.text(j - i);
    i = j;
    int64_t run = 0;
    while (j < L && input_ids[j] == video_token_id) ++j, ++run;
    while (run > 0) {  // consume the run with as many videos as it holds
      if (next_video >= videos.size()) {
        throw std::invalid_argument("mrope_index: video token run at position " + std::to_string(i) +
                                    " has " + std::to_string(run) + " tokens left but only " +
                                    std::to_string(videos.size()) + " video grid(s) were given");
      }
      const int64_t n = video_tokens(videos[next_video], options, next_video);
      if (n > run) {
        throw std::invalid_argument("mrope_index: video " + std::to_string(next_video) + " needs " +
                                    std::to_string(n) + " video tokens (t*h*w/merge^2) but the run at position " +
                                    std::to_string(i) + " has only " + std::to_string(run) + " left");
      }
      b.video(videos[next_video++], options);
      run -= n;
      i += n;
    }
  }
  if (next_video != videos.size()) {
    throw std::invalid_argument("mrope_index: " + std::to_string(videos.size()) + " video grids given but only " +
                                std::to_string(next_video) + " video token runs matched them");
  }
  return b.finish();
}

RopeIndex mrope_index_from_spans(const std::vector<RopeSpan>& spans, const RopeIndexOptions& options) {
  Builder b;
  for (size_t s = 0; s < spans.size(); ++s) {
    if (spans[s].text < 0) {
      throw std::invalid_argument("mrope_index_from_spans: span " + std::to_string(s) + " has negative text count " +
                                  std::to_string(spans[s].text));
    }
    b.text(spans[s].text);
    if (spans[s].has_video) {
      video_tokens(spans[s].video, options, s);  // validates the grid
      b.video(spans[s].video, options);
    }
  }
  return b.finish();
}

}  // namespace pevlm::qwen2_5_vl
