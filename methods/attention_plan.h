// AttentionPlan: what a method decides (who attends to whom, logit rules, positions), nothing about
// how it is computed. Executors in attention/ compute it; see DESIGN.md "The core abstraction".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "methods/token_layout.h"

namespace pevlm {

// A key range seen by a query range. When `causal`, the key range equals the query range and
// query i sees key j iff j <= i (the diagonal block of causal attention); otherwise every query of
// the range sees every key of this range. `group` indexes AttentionPlan::groups.
struct KeyRange {
  int64_t begin = 0;
  int64_t end = 0;
  bool causal = false;
  int group = 0;
  int64_t size() const { return end - begin; }
};

// A logit group: keys of one group are combined by ordinary softmax over logits s/T; groups are
// then mixed with weights exp(weight_exponent * lse_g) (lse of the tempered logits). APE
// (methods.md): context group T, exponent S*T; every other key: T = 1, exponent 1. A plan whose
// groups are all (1, 1) is plain softmax over the union of its key ranges.
struct LogitGroup {
  std::string name = "default";
  double temperature = 1.0;
  double weight_exponent = 1.0;
};

// A query range and every key range it attends to. `role` names it in reports
// ("sink", "block", "prefix", "anchor", "question", "all").
struct QueryRange {
  int64_t begin = 0;
  int64_t end = 0;
  std::string role;
  int64_t block_index = -1;  // context block number for role "block", else -1
  std::vector<KeyRange> keys;
  int64_t size() const { return end - begin; }
};

struct AttentionPlan {
  std::string method;            // registry name that produced it
  nlohmann::json params;         // the method's resolved parameters
  int64_t length = 0;            // sequence length L
  std::vector<QueryRange> queries;  // cover [0, L) exactly once, in order
  std::vector<LogitGroup> groups{LogitGroup{}};
  PositionIds positions;         // positions the prefill uses (retained or reused)
  // Decode attention: every generated token sees all keys; keys of [0, length) keep the group
  // they have in the question's key ranges (APE keeps its merge rule during decode).
  std::vector<KeyRange> decode_keys;
  // Work the original method performs whose output is discarded: Star Attention re-encodes the
  // anchor together with every block (methods.md, recompute_anchor). Executors run it so timings
  // mirror the original, flops() counts it, and models re-run their linear layers for these tokens.
  std::vector<QueryRange> redundant;
  // Set by data-dependent methods (xattention, vertical_slash): the prefill must run the method's
  // estimator per layer and execute the resulting SparsePlan (attention/sparse_dispatch.h); an
  // executor handed such a plan directly refuses it instead of silently computing full attention.
  bool data_dependent = false;
  int64_t redundant_tokens() const;

  // Throws std::logic_error describing the broken invariant: queries cover [0, L) once in order;
  // key ranges in bounds, non-overlapping, never after the query range; causal ranges equal
  // their query range; groups exist.
  void validate() const;

  // Dense boolean mask [L][L] (row = query, column = key), for tests and plots. Small L only.
  std::vector<uint8_t> dense_mask() const;
  // Group of key j for query i, or -1 when masked; matches dense_mask().
  std::vector<int8_t> dense_groups() const;

  // Exact FLOPs the executor performs for one layer: QK^T and PV, 2 FLOPs per multiply-add,
  // causal diagonal ranges counting only i >= j pairs: sum 4 * Hq * D * pairs.
  double flops(int64_t num_heads, int64_t head_dim) const;
  // The number of (query, key) pairs attended, exact (causal halves counted exactly).
  int64_t attended_pairs() const;
  // The paper's Eq. 10 figure, 2 * hidden * sum over query ranges of (queries x keys seen),
  // causal ranges counted as full squares (the paper ignores causal halves); full attention
  // gives 2 * hidden * L^2.
  double paper_eq10_flops(int64_t hidden) const;

  // Token counts per role, for result rows: sink/prefix/anchor tokens, per-block tokens, question.
  nlohmann::json token_counts() const;
};

// Full causal attention over [0, L) with the given positions: the reference plan.
AttentionPlan make_full_plan(const TokenLayout& layout);

}  // namespace pevlm
