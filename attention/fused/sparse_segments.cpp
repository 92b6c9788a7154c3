#include "attention/fused/sparse_segments.h"

namespace pevlm::attention::fused {

std::vector<Segment> sparse_head_segments(const SparsePlan& plan, int64_t head) {
  std::vector<Segment> segs;
  segs.reserve(size_t(plan.num_query_blocks()));
  for (int64_t b = 0; b < plan.num_query_blocks(); ++b) {
    const int64_t qb = plan.block_begin(b), qe = plan.block_end(b);
    Segment s{qb, qe, qb, false, {}};
    for (const KeyInterval& k : plan.keys(head, b)) {
      if (k.begin < qb) s.keys.push_back(SegmentKeys{k.begin, std::min(k.end, qb), false, 0});
      if (k.end > qb) s.keys.push_back(SegmentKeys{std::max(k.begin, qb), std::min(k.end, qe), true, 0});
    }
    segs.push_back(std::move(s));
  }
  return segs;
}

bool sparse_plan_is_coarse(const SparsePlan& plan, double min_mean_keys) {
  double keys = 0, intervals = 0;
  for (const auto& list : plan.intervals)
    for (const KeyInterval& k : list) keys += double(k.size()), intervals += 1;
  return intervals == 0 || keys / intervals >= min_mean_keys;
}

}  // namespace pevlm::attention::fused
