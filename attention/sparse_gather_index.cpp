#include "attention/sparse_gather_index.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace pevlm::attention {

SparseBlockGather build_block_gather(const SparsePlan& plan, int64_t block, int64_t kv_heads, int64_t score_budget) {
  const int64_t hq = plan.num_heads, L = plan.length;
  if (kv_heads <= 0 || hq % kv_heads != 0)
    throw std::invalid_argument("sparse gather: " + std::to_string(kv_heads) + " KV heads do not divide the plan's " +
                                std::to_string(hq) + " query heads");
  if (block < 0 || block >= plan.num_query_blocks())
    throw std::invalid_argument("sparse gather: query block " + std::to_string(block) + " outside [0, " +
                                std::to_string(plan.num_query_blocks()) + ")");
  const int64_t group = hq / kv_heads;
  SparseBlockGather g;
  g.block = block, g.row_begin = plan.block_begin(block), g.rows = plan.block_end(block) - g.row_begin;
  std::vector<int64_t> count(size_t(hq), 0);
  for (int64_t h = 0; h < hq; ++h)
    for (const KeyInterval& k : plan.keys(h, block)) count[size_t(h)] += k.size();
  for (int64_t h0 = 0; h0 < hq;) {
    // Grow the head group while its padded score tile stays within the budget.
    int64_t h1 = h0 + 1, width = count[size_t(h0)];
    while (h1 < hq && (h1 + 1 - h0) * g.rows * std::max(width, count[size_t(h1)]) <= score_budget)
      width = std::max(width, count[size_t(h1++)]);
    GatherTile t{h0, h1, width, int64_t(g.rows_index.size())};
    g.rows_index.resize(size_t(t.offset + (h1 - h0) * width), 0);
    g.keypos.resize(g.rows_index.size(), L);
    for (int64_t h = h0; h < h1; ++h) {
      int64_t j = t.offset + (h - h0) * width;
      const int64_t base = (h / group) * L;
      for (const KeyInterval& k : plan.keys(h, block))
        for (int64_t c = k.begin; c < k.end; ++c, ++j) {
          g.rows_index[size_t(j)] = base + c;
          g.keypos[size_t(j)] = c;
        }
    }
    g.tiles.push_back(t);
    h0 = h1;
  }
  return g;
}

}  // namespace pevlm::attention
