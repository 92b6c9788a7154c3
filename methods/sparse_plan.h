// SparsePlan: a per-head, block-sparse attention pattern decided from the data inside one layer's
// prefill (issue 25; DESIGN.md "Methods that decide from the data"). A data-dependent method
// (XAttention, MInference vertical-slash: methods/sparse/) returns one per layer from that layer's
// post-RoPE Q and K; the static AttentionPlan of the method still carries positions, decode keys
// and groups (the full-attention plan), so static methods are untouched.
//
// Semantics: query rows are cut into blocks of `query_block` tokens (the last block may be
// partial). For query head h and query block b, `keys(h, b)` lists disjoint, sorted key intervals
// [begin, end); query i of the block sees key j iff j lies in one of them AND j <= i (causal: both
// reference methods run causal kernels over their block lists: x-attention's
// block_sparse_attn_func(is_causal=True), MInference's _triton_mixed_sparse_attn_fwd_kernel
// causal_mask). Every query must see at least its own token (both references always keep the
// diagonal), so softmax rows are never empty.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "methods/attention_plan.h"

namespace pevlm {

struct KeyInterval {
  int64_t begin = 0;
  int64_t end = 0;
  int64_t size() const { return end - begin; }
  bool operator==(const KeyInterval&) const = default;
};

struct SparsePlan {
  std::string method;       // the estimator that produced it ("xattention", "vertical_slash", "forced")
  int64_t length = 0;       // L (queries == keys: prefill)
  int64_t num_heads = 0;    // query heads Hq (GQA: heads of one KV group may differ)
  int64_t query_block = 0;  // rows per query block
  // intervals[h * num_query_blocks() + b]: key intervals of head h, query block b.
  std::vector<std::vector<KeyInterval>> intervals;

  SparsePlan() = default;
  SparsePlan(std::string method_, int64_t length_, int64_t heads, int64_t block);

  int64_t num_query_blocks() const { return query_block > 0 ? (length + query_block - 1) / query_block : 0; }
  std::vector<KeyInterval>& keys(int64_t head, int64_t block) { return intervals[size_t(head * num_query_blocks() + block)]; }
  const std::vector<KeyInterval>& keys(int64_t head, int64_t block) const {
    return intervals[size_t(head * num_query_blocks() + block)];
  }
  int64_t block_begin(int64_t b) const { return b * query_block; }
  int64_t block_end(int64_t b) const { return std::min(length, (b + 1) * query_block); }

  // Throws std::logic_error naming head/block: intervals sorted, disjoint, non-empty, in [0, L),
  // never starting after the block's last query, and every query sees its own token.
  void validate() const;

  // Dense boolean mask [L][L] of head h (row = query, column = key), for tests. Small L only.
  std::vector<uint8_t> dense_mask(int64_t head) const;
  // Exact attended (query, key) pairs of head h (causal cut counted exactly).
  int64_t attended_pairs(int64_t head) const;
  int64_t attended_pairs() const;  // all heads
  // Exact executor FLOPs of one layer: 4 * D per attended pair (QK^T and PV), summed over heads.
  double flops(int64_t head_dim) const;
  // Kept density of head h: attended pairs / causal pairs L(L+1)/2 (full attention = 1).
  double density(int64_t head) const;
  // {"mean": ..., "min": ..., "max": ...} of density over heads (result rows, per layer).
  nlohmann::json density_summary() const;
};

// Causal (query, key) pairs of full attention over L tokens.
inline int64_t causal_pairs(int64_t length) { return length * (length + 1) / 2; }

// A plan keeping every key (full causal attention) in blocks of `block`: the sparse executors'
// dense baseline and the forced-density sweep's 100 % point.
SparsePlan make_dense_sparse_plan(int64_t length, int64_t heads, int64_t block);

// A plan keeping about `density` of the causal key blocks of every query block and head (first and
// diagonal blocks always, the others drawn uniformly by `seed`): the forced-density speed sweep.
SparsePlan make_forced_density_plan(int64_t length, int64_t heads, int64_t block, double density, uint32_t seed);

// Head h of the plan as static query ranges (one per query block, role "block"), each block's
// intervals cut at its first query: plain key ranges before it, a causal range from it on (the
// causal rule of KeyRange / the executors: key <= query). For per-head span masses (analyze).
std::vector<QueryRange> sparse_head_ranges(const SparsePlan& plan, int64_t head);

// Inserts [begin, end) into a sorted disjoint interval list, merging overlaps and adjacency.
void add_interval(std::vector<KeyInterval>& list, int64_t begin, int64_t end);

}  // namespace pevlm
