// Reduced TokenLayouts; see reduced_layout.h.
#include "reduction/reduced_layout.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace pevlm::reduction {

TokenLayout subset_layout(const TokenLayout& layout, const std::vector<int64_t>& kept) {
  layout.validate();
  for (size_t i = 0; i < kept.size(); ++i) {
    if (kept[i] < 0 || kept[i] >= layout.length)
      throw std::invalid_argument("reduction: kept index " + std::to_string(i) + " = " + std::to_string(kept[i]) +
                                  " is outside the layout [0, " + std::to_string(layout.length) + ")");
    if (i > 0 && kept[i] <= kept[i - 1])
      throw std::invalid_argument("reduction: kept indices must be strictly increasing; entry " + std::to_string(i) +
                                  " = " + std::to_string(kept[i]) + " follows " + std::to_string(kept[i - 1]));
  }
  if (layout.length > 0 && (kept.empty() || kept.back() != layout.length - 1))
    throw std::invalid_argument("reduction: the last token (" + std::to_string(layout.length - 1) +
                                ", whose logits answer) must be kept");
  TokenLayout out;
  out.length = int64_t(kept.size());
  out.positions = PositionIds(layout.positions.axes, out.length);
  for (int a = 0; a < layout.positions.axes; ++a)
    for (int64_t r = 0; r < out.length; ++r) out.positions.at(a, r) = layout.positions.at(a, kept[size_t(r)]);
  size_t cursor = 0;  // first kept entry not yet assigned to a span
  for (const Span& s : layout.spans) {
    const size_t first = cursor;
    int64_t lead = 0, tail = 0, visual = 0;
    for (; cursor < kept.size() && kept[cursor] < s.end; ++cursor) {
      const int64_t k = kept[cursor];
      (k < s.visual_begin() ? lead : k >= s.visual_end() ? tail : visual) += 1;
    }
    if (cursor == first) continue;  // nothing of this span survives: it vanishes
    // A frame whose visual tokens are all dropped keeps its other tokens as text (Qwen3-VL: the
    // timestamp and vision start/end of a frame a reduction emptied).
    Span r{visual > 0 ? s.kind : SpanKind::Text, int64_t(first), int64_t(cursor), visual > 0 ? s.frame_index : -1};
    if (visual > 0) r.lead = lead, r.tail = tail;
    out.spans.push_back(r);
  }
  out.validate();
  return out;
}

std::vector<int64_t> frame_tokens(const TokenLayout& layout) {
  std::vector<int64_t> out;
  for (const Span& s : layout.spans)
    if (s.kind == SpanKind::Frame)
      for (int64_t i = s.visual_begin(); i < s.visual_end(); ++i) out.push_back(i);
  return out;
}

void check_frame_tokens_are_visual(const TokenLayout& layout, const std::vector<int64_t>& visual_slots, const std::string& who) {
  std::vector<bool> visual(size_t(layout.length), false);
  for (int64_t i : visual_slots)
    if (i >= 0 && i < layout.length) visual[size_t(i)] = true;
  for (int64_t i : frame_tokens(layout))
    if (!visual[size_t(i)])
      throw std::invalid_argument("reduction '" + who + "': frame token " + std::to_string(i) +
                                  " is not a visual embedding slot: the layout's frame spans do not mark their "
                                  "non-visual tokens (Span::lead / tail), so a reduction would drop text");
}

nlohmann::json layout_counts(const TokenLayout& layout) {
  return {{"total", layout.length}, {"visual", int64_t(frame_tokens(layout).size())}, {"frames", layout.num_frames()}};
}

std::vector<int64_t> with_non_visual(const TokenLayout& layout, const std::vector<int64_t>& kept_visual) {
  std::vector<bool> visual(size_t(layout.length), false);
  for (int64_t i : frame_tokens(layout)) visual[size_t(i)] = true;
  std::vector<int64_t> out;
  for (int64_t i = 0; i < layout.length; ++i)
    if (!visual[size_t(i)]) out.push_back(i);
  for (int64_t i : kept_visual) {
    if (i < 0 || i >= layout.length || !visual[size_t(i)])
      throw std::invalid_argument("reduction: kept visual index " + std::to_string(i) + " is not a frame token");
    out.push_back(i);
  }
  std::sort(out.begin(), out.end());
  if (std::adjacent_find(out.begin(), out.end()) != out.end())
    throw std::invalid_argument("reduction: a visual token is kept twice");
  return out;
}

}  // namespace pevlm::reduction
