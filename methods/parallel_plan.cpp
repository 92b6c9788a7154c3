#include "methods/parallel_plan.h"

#include <algorithm>
#include <stdexcept>

namespace pevlm {

int64_t leading_end(const TokenLayout& layout, const UnitSize& size) {
  if (size.count < 0) throw std::invalid_argument(size.key + " must be >= 0, got " + std::to_string(size.count));
  if (size.unit == UnitSize::Unit::Frames) return layout.frame_start(std::min(size.count, layout.num_frames()));
  return std::min(size.count, layout.question_begin());
}

std::vector<TokenRange> cut_blocks(const TokenLayout& layout, int64_t start, const UnitSize& size) {
  if (size.count <= 0) throw std::invalid_argument(size.key + " must be > 0, got " + std::to_string(size.count));
  const int64_t context_end = layout.question_begin();
  std::vector<TokenRange> blocks;
  if (size.unit == UnitSize::Unit::Tokens) {
    for (int64_t b = start; b < context_end; b += size.count) blocks.push_back({b, std::min(b + size.count, context_end)});
    return blocks;
  }
  // Frames: find the frame index starting at `start`.
  const int64_t frames = layout.num_frames();
  int64_t first = 0;
  while (first < frames && layout.frame_start(first) < start) ++first;
  if (layout.frame_start(first) != start && start != context_end)
    throw std::invalid_argument(size.key + ": frame blocks must start at a frame boundary; token " + std::to_string(start) +
                                " is inside a frame (use frame units for the sink/prefix/anchor too)");
  for (int64_t f = first; f < frames; f += size.count) {
    const int64_t b = (f == first) ? start : layout.frame_start(f);
    blocks.push_back({b, layout.frame_start(std::min(f + size.count, frames))});
  }
  // Text after the last frame but before the question (possible with interleaved text) joins the last block.
  if (!blocks.empty()) blocks.back().end = context_end;
  else if (start < context_end) blocks.push_back({start, context_end});
  return blocks;
}

PositionIds reuse_positions(const TokenLayout& layout, const std::vector<TokenRange>& blocks, size_t first_context_block) {
  PositionIds pos = layout.positions;
  if (first_context_block >= blocks.size()) return pos;  // no context block to align to
  const std::vector<bool> video = layout.video_token_mask();
  const int64_t anchor_t = layout.positions.at(0, blocks[first_context_block].begin);
  int64_t context_max = -1;
  const int64_t q0 = layout.question_begin();
  for (int64_t i = 0; i < std::min(q0, blocks.empty() ? q0 : blocks.front().begin); ++i)
    for (int a = 0; a < pos.axes; ++a) context_max = std::max(context_max, pos.at(a, i));
  for (size_t b = 0; b < blocks.size(); ++b) {
    const int64_t shift = b < first_context_block ? 0 : layout.positions.at(0, blocks[b].begin) - anchor_t;
    for (int64_t i = blocks[b].begin; i < blocks[b].end; ++i) {
      if (pos.axes == 1 || !video[size_t(i)]) {
        for (int a = 0; a < pos.axes; ++a) pos.at(a, i) -= shift;
      } else {
        pos.at(0, i) -= shift;  // M-RoPE video token: temporal axis only; h, w are spatial
      }
      for (int a = 0; a < pos.axes; ++a) context_max = std::max(context_max, pos.at(a, i));
    }
  }
  for (int64_t i = q0; i < layout.length; ++i)
    for (int a = 0; a < pos.axes; ++a) pos.at(a, i) = context_max + 1 + (i - q0);
  return pos;
}

AttentionPlan build_parallel_plan(const TokenLayout& layout, const ParallelSpec& spec) {
  AttentionPlan plan;
  plan.method = spec.method;
  plan.params = spec.params;
  plan.length = layout.length;
  const int64_t q0 = layout.question_begin();
  const int context_group = spec.context_group ? 1 : 0;
  if (spec.context_group) plan.groups.push_back(*spec.context_group);

  if (spec.head_end > 0)
    plan.queries.push_back(QueryRange{0, spec.head_end, spec.head_role, -1, {KeyRange{0, spec.head_end, true, 0}}});
  for (size_t b = 0; b < spec.blocks.size(); ++b) {
    const TokenRange& r = spec.blocks[b];
    QueryRange q{r.begin, r.end, "block", int64_t(b), {}};
    if (spec.shared_end > 0 && r.begin >= spec.shared_end) q.keys.push_back(KeyRange{0, spec.shared_end, false, 0});
    q.keys.push_back(KeyRange{r.begin, r.end, true, 0});
    plan.queries.push_back(std::move(q));
  }
  // Question: everything before it (APE: prefix in group 0, context tempered in group 1) + itself causally.
  std::vector<KeyRange> before;
  if (context_group && spec.shared_end > 0) before.push_back(KeyRange{0, spec.shared_end, false, 0});
  const int64_t ctx_begin = context_group ? spec.shared_end : 0;
  if (q0 > ctx_begin) before.push_back(KeyRange{ctx_begin, q0, false, context_group});
  if (q0 < layout.length) {
    QueryRange q{q0, layout.length, "question", -1, before};
    q.keys.push_back(KeyRange{q0, layout.length, true, 0});
    plan.queries.push_back(std::move(q));
  }
  if (spec.recompute_end > 0)
    for (size_t b = 0; b < spec.blocks.size(); ++b)
      if (spec.blocks[b].begin >= spec.shared_end)
        plan.redundant.push_back(QueryRange{0, spec.recompute_end, "anchor_recompute", int64_t(b),
                                            {KeyRange{0, spec.recompute_end, true, 0}}});
  plan.decode_keys = before;
  if (q0 < layout.length) plan.decode_keys.push_back(KeyRange{q0, layout.length, false, 0});

  plan.positions = spec.reuse_positions ? reuse_positions(layout, spec.blocks, spec.first_context_block) : layout.positions;
  plan.validate();
  return plan;
}

}  // namespace pevlm
