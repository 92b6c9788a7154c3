// A random per-head sparse plan for executor and gather tests (issue 25): each query block keeps its
// diagonal interval, 3 random ranges of up to `range_max` keys (`ranges_by_head`: h % 4 of them, so
// heads keep different counts) and, with `columns` > 0, that many draws of single columns before the
// block (vertical-slash-like scattered keys), different per head.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>

#include "methods/sparse_plan.h"

namespace pevlm::testing {

inline SparsePlan random_sparse_plan(int64_t L, int64_t heads, int64_t block, uint32_t seed, int64_t range_max = 40,
                                     int columns = 0, bool ranges_by_head = false) {
  std::mt19937 rng(seed);
  SparsePlan p("random", L, heads, block);
  for (int64_t h = 0; h < heads; ++h)
    for (int64_t b = 0; b < p.num_query_blocks(); ++b) {
      auto& list = p.keys(h, b);
      add_interval(list, p.block_begin(b), p.block_end(b));
      for (int r = 0; r < (ranges_by_head ? int(h % 4) : 3); ++r) {
        const int64_t a = int64_t(rng() % uint32_t(p.block_end(b)));
        add_interval(list, a, std::min(p.block_end(b), a + 1 + int64_t(rng() % uint32_t(range_max))));
      }
      for (int r = 0; r < columns; ++r) {
        const int64_t c = int64_t(rng() % uint32_t(p.block_begin(b) + 1));
        if (c < p.block_begin(b)) add_interval(list, c, c + 1);
      }
    }
  p.validate();
  return p;
}

}  // namespace pevlm::testing
