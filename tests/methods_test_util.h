// Test helpers for method plans: small layouts and an independent mask builder from hand-written
// unit boundaries (the expectation is the boundaries; the rule is the methods.md definition).
#pragma once

#include <string>
#include <vector>

#include "methods/method_registry.h"

namespace pevlm::testing {

// 5 system tokens, 6 frames of 4 tokens (2x2 grid), 3 question tokens: L = 32.
inline TokenLayout small_layout(bool mrope = true) {
  return make_synthetic_layout(SyntheticLayoutSpec{5, 6, 4, 3, mrope, 2, 2, 2});
}

struct Unit {
  int64_t begin, end;
};

// head: [0, head_end) causal; each block sees [0, shared_end) when it starts at/after shared_end,
// plus itself causally; question [q0, L) sees everything before it and itself causally.
inline std::vector<uint8_t> expected_mask(int64_t L, int64_t head_end, const std::vector<Unit>& blocks,
                                          int64_t shared_end, int64_t q0) {
  std::vector<uint8_t> m(size_t(L * L), 0);
  auto set = [&](int64_t i, int64_t j) { m[size_t(i * L + j)] = 1; };
  for (int64_t i = 0; i < head_end; ++i)
    for (int64_t j = 0; j <= i; ++j) set(i, j);
  for (const Unit& b : blocks)
    for (int64_t i = b.begin; i < b.end; ++i) {
      if (b.begin >= shared_end)
        for (int64_t j = 0; j < shared_end; ++j) set(i, j);
      for (int64_t j = b.begin; j <= i; ++j) set(i, j);
    }
  for (int64_t i = q0; i < L; ++i)
    for (int64_t j = 0; j <= i; ++j) set(i, j);
  return m;
}

inline std::string mask_to_string(const std::vector<uint8_t>& m, int64_t L) {
  std::string s;
  for (int64_t i = 0; i < L; ++i) {
    for (int64_t j = 0; j < L; ++j) s += m[size_t(i * L + j)] ? '#' : '.';
    s += '\n';
  }
  return s;
}

inline AttentionPlan plan_for(const nlohmann::json& entry, const TokenLayout& layout) {
  return build_plan(resolve_method(entry), layout);
}

}  // namespace pevlm::testing
