#include "methods/sparse_plan.h"

#include <algorithm>
#include <random>
#include <stdexcept>

namespace pevlm {
namespace {

// Pairs (i, j) with i in [qb, qe), j in [kb, ke), j <= i.
int64_t causal_block_pairs(int64_t qb, int64_t qe, int64_t kb, int64_t ke) {
  int64_t total = 0;
  // For query i the visible keys are [kb, min(ke, i + 1)).
  const int64_t full_from = std::max(qb, ke - 1);  // from here on every key of the interval is visible
  if (full_from < qe) total += (qe - full_from) * (ke - kb);
  // Queries in [max(qb, kb), full_from) see i + 1 - kb keys: an arithmetic series.
  const int64_t lo = std::max(qb, kb), hi = std::min(qe, full_from);
  if (lo < hi) total += (hi - lo) * (lo + hi - 1) / 2 + (hi - lo) * (1 - kb);
  return total;
}

std::string where(const SparsePlan& p, int64_t h, int64_t b) {
  return "sparse plan '" + p.method + "' head " + std::to_string(h) + " query block " + std::to_string(b);
}

}  // namespace

SparsePlan::SparsePlan(std::string method_, int64_t length_, int64_t heads, int64_t block)
    : method(std::move(method_)), length(length_), num_heads(heads), query_block(block) {
  if (block <= 0) throw std::invalid_argument("sparse plan: query_block must be positive");
  intervals.resize(size_t(heads * num_query_blocks()));
}

void SparsePlan::validate() const {
  if (int64_t(intervals.size()) != num_heads * num_query_blocks())
    throw std::logic_error("sparse plan '" + method + "': interval lists do not match heads x query blocks");
  for (int64_t h = 0; h < num_heads; ++h)
    for (int64_t b = 0; b < num_query_blocks(); ++b) {
      const auto& list = keys(h, b);
      int64_t prev_end = -1;
      for (const KeyInterval& k : list) {
        if (k.begin < 0 || k.end > length || k.begin >= k.end)
          throw std::logic_error(where(*this, h, b) + ": interval out of bounds or empty");
        if (k.begin <= prev_end) throw std::logic_error(where(*this, h, b) + ": intervals overlap, touch or are unsorted");
        if (k.begin >= block_end(b)) throw std::logic_error(where(*this, h, b) + ": interval after the block's last query");
        prev_end = k.end;
      }
      // Each query of the block must see itself: the block's span [begin, end) is covered.
      int64_t need = block_begin(b);
      for (const KeyInterval& k : list)
        if (k.begin <= need && k.end > need) need = k.end;
      if (need < block_end(b))
        throw std::logic_error(where(*this, h, b) + ": query " + std::to_string(need) + " does not see its own token");
    }
}

std::vector<uint8_t> SparsePlan::dense_mask(int64_t head) const {
  std::vector<uint8_t> m(size_t(length * length), 0);
  for (int64_t b = 0; b < num_query_blocks(); ++b)
    for (const KeyInterval& k : keys(head, b))
      for (int64_t i = block_begin(b); i < block_end(b); ++i)
        for (int64_t j = k.begin; j < std::min(k.end, i + 1); ++j) m[size_t(i * length + j)] = 1;
  return m;
}

int64_t SparsePlan::attended_pairs(int64_t head) const {
  int64_t total = 0;
  for (int64_t b = 0; b < num_query_blocks(); ++b)
    for (const KeyInterval& k : keys(head, b)) total += causal_block_pairs(block_begin(b), block_end(b), k.begin, k.end);
  return total;
}

int64_t SparsePlan::attended_pairs() const {
  int64_t total = 0;
  for (int64_t h = 0; h < num_heads; ++h) total += attended_pairs(h);
  return total;
}

double SparsePlan::flops(int64_t head_dim) const { return 4.0 * double(head_dim) * double(attended_pairs()); }

double SparsePlan::density(int64_t head) const {
  return length > 0 ? double(attended_pairs(head)) / double(causal_pairs(length)) : 1.0;
}

nlohmann::json SparsePlan::density_summary() const {
  double sum = 0, lo = 1e300, hi = -1e300;
  for (int64_t h = 0; h < num_heads; ++h) {
    const double d = density(h);
    sum += d;
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  if (num_heads == 0) return {{"mean", nullptr}, {"min", nullptr}, {"max", nullptr}};
  return {{"mean", sum / double(num_heads)}, {"min", lo}, {"max", hi}};
}

SparsePlan make_dense_sparse_plan(int64_t length, int64_t heads, int64_t block) {
  SparsePlan p("dense", length, heads, block);
  for (int64_t h = 0; h < heads; ++h)
    for (int64_t b = 0; b < p.num_query_blocks(); ++b) p.keys(h, b) = {KeyInterval{0, p.block_end(b)}};
  return p;
}

SparsePlan make_forced_density_plan(int64_t length, int64_t heads, int64_t block, double density, uint32_t seed) {
  SparsePlan p("forced", length, heads, block);
  std::mt19937 rng(seed);
  for (int64_t h = 0; h < heads; ++h)
    for (int64_t b = 0; b < p.num_query_blocks(); ++b) {
      auto& list = p.keys(h, b);
      // Blocks 0..b are causal; keep round(density * (b + 1)) of them, at least first + diagonal.
      std::vector<int64_t> others;
      for (int64_t c = 1; c < b; ++c) others.push_back(c);
      std::shuffle(others.begin(), others.end(), rng);
      const int64_t want = std::max<int64_t>(0, int64_t(std::llround(density * double(b + 1))) - (b > 0 ? 2 : 1));
      add_interval(list, 0, std::min(length, block));
      add_interval(list, p.block_begin(b), p.block_end(b));
      for (int64_t i = 0; i < std::min<int64_t>(want, int64_t(others.size())); ++i)
        add_interval(list, others[size_t(i)] * block, (others[size_t(i)] + 1) * block);
    }
  return p;
}

std::vector<QueryRange> sparse_head_ranges(const SparsePlan& plan, int64_t head) {
  std::vector<QueryRange> out;
  for (int64_t b = 0; b < plan.num_query_blocks(); ++b) {
    const int64_t qb = plan.block_begin(b), qe = plan.block_end(b);
    QueryRange r{qb, qe, "block", b, {}};
    for (const KeyInterval& k : plan.keys(head, b)) {
      if (k.begin < qb) r.keys.push_back(KeyRange{k.begin, std::min(k.end, qb), false, 0});
      if (k.end > qb) r.keys.push_back(KeyRange{std::max(k.begin, qb), std::min(k.end, qe), true, 0});
    }
    out.push_back(std::move(r));
  }
  return out;
}

void add_interval(std::vector<KeyInterval>& list, int64_t begin, int64_t end) {
  if (begin >= end) return;
  auto it = std::lower_bound(list.begin(), list.end(), begin, [](const KeyInterval& k, int64_t v) { return k.end < v; });
  // `it` is the first interval whose end >= begin: it overlaps or touches [begin, end), or lies after it.
  auto last = it;
  while (last != list.end() && last->begin <= end) {
    begin = std::min(begin, last->begin);
    end = std::max(end, last->end);
    ++last;
  }
  it = list.erase(it, last);
  list.insert(it, KeyInterval{begin, end});
}

}  // namespace pevlm
