#include "attention/fused/sparse_segments.h"

namespace pevlm::attention::fused {

std::vector<Segment> sparse_segments(const SparsePlan& plan) {
  std::vector<Segment> segs;
  segs.reserve(size_t(plan.num_heads * plan.num_query_blocks()));
  for (int64_t b = 0; b < plan.num_query_blocks(); ++b)
    for (int64_t h = 0; h < plan.num_heads; ++h) {
      const int64_t qb = plan.block_begin(b), qe = plan.block_end(b);
      Segment s{qb, qe, qb, false, {}, int32_t(h), {}};
      for (const KeyInterval& k : plan.keys(h, b)) {
        if (k.end <= qb && k.size() < kColumnIntervalMax) {
          for (int64_t c = k.begin; c < k.end; ++c) s.columns.push_back(int32_t(c));
          continue;
        }
        if (k.begin < qb) s.keys.push_back(SegmentKeys{k.begin, std::min(k.end, qb), false, 0});
        if (k.end > qb) s.keys.push_back(SegmentKeys{std::max(k.begin, qb), std::min(k.end, qe), true, 0});
      }
      segs.push_back(std::move(s));
    }
  return segs;
}

}  // namespace pevlm::attention::fused
