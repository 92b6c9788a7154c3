// Attention mass per key span without an L x L matrix (DESIGN.md "Analysis"; issue 13).
//
// For a query i, the attention weight of key j under a plan is, with APE's group rule
// (methods.md, attention/lse_merge.h): p_ij = exp(e_g * lse_g - W) * exp(s_ij / T_g - lse_g),
// where g is key j's logit group for i, lse_g = log sum over the group's visible keys of
// exp(s / T_g), and W = log sum_g exp(e_g * lse_g). The mass of a key segment is therefore
//   mass(seg) = sum_g exp(e_g * lse_g - W + lse_(seg,g) - lse_g),
// with lse_(seg,g) the log-sum-exp of the tempered logits of the segment's visible keys in group g:
// the same per-piece log-sum-exp the executors merge, taken per segment instead of per key range.
// Logits are computed tile by tile (queries x keys), so the extra memory is
// O(heads x query_tile x key_tile + heads x queries x segments), never O(L^2).
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

#include "methods/attention_plan.h"

namespace pevlm::attention {

struct SpanMassOptions {
  int64_t query_tile = 64;    // queries per logit tile
  int64_t key_tile = 2048;    // keys per logit tile
};

// Masses of the queries q_nHD [n, Hq, D] (rows = tokens [q_begin, q_begin + n), positions applied)
// over the key segments [bounds[s], bounds[s + 1]) of k_LHD [K, Hkv, D] (GQA as the executors).
// `ranges` say which keys each query sees (plan.queries for prefill rows, decode_query_range()
// for generated rows); every row of [q_begin, q_begin + n) must lie in one of them and every key
// range must lie inside [bounds.front(), bounds.back()). `scale` multiplies q.k (0 -> D^-0.5).
// Returns float32 [Hq, n, S] (S = bounds.size() - 1): each (head, query) row sums to 1. Computed
// in float32 on the tensors' device; inputs may be bfloat16.
at::Tensor span_masses(const std::vector<QueryRange>& ranges, const std::vector<LogitGroup>& groups,
                       const at::Tensor& q_nHD, int64_t q_begin, const at::Tensor& k_LHD,
                       const std::vector<int64_t>& bounds, double scale, const SpanMassOptions& options = {});

// The key ranges decode tokens [past, past + n) see (Executor::decode's rule): plan.decode_keys,
// generated keys [plan.length, past) in group 0, and the new tokens causally.
QueryRange decode_query_range(const AttentionPlan& plan, int64_t past, int64_t n);

// Dense float64 reference of span_masses() (small sizes only): the full softmax of every row under
// plan.dense_groups() with APE's group rule, then summed over each segment. Tests compare against it.
at::Tensor reference_span_masses(const AttentionPlan& plan, const at::Tensor& q_LHD, const at::Tensor& k_LHD,
                                 int64_t q_begin, int64_t q_end, const std::vector<int64_t>& bounds, double scale);

}  // namespace pevlm::attention
