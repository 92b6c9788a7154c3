// Shared by the executor tests (cpu, batched, cuda): comparison against the dense reference with
// tolerances from the dtype's unit roundoff u (fp32 2^-24, bf16 2^-8). The reference runs in
// float64 on the same rounded inputs, so the error is the executor's own rounding:
//   fp32: NMSE <= 1e-10, max-abs <= 1e3 u max(1, max|ref|)  (accumulation over <= 1k keys)
//   bf16: NMSE <= 4 u^2, max-abs <= 8 u max(1, max|ref|)   (bf16 output rounding + bf16 P in PV)
// and the method configurations every executor is swept over (block sizes that do not divide the
// sequence, both units, APE with T != S, Star with and without recompute, PEVLM sink 0 and reuse).
#pragma once

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "attention/executor.h"
#include "tests/methods_test_util.h"

namespace pevlm::testing {

struct AttentionError {
  double nmse, max_abs, ref_max;
};

inline AttentionError attention_error(const at::Tensor& got, const at::Tensor& ref) {
  at::Tensor g = got.to(at::kDouble).cpu(), r = ref.to(at::kDouble).cpu();
  const double num = (g - r).pow(2).sum().item<double>(), den = r.pow(2).sum().item<double>();
  return {num / std::max(den, 1e-300), (g - r).abs().max().item<double>(), r.abs().max().item<double>()};
}

inline void expect_attention_close(const at::Tensor& got, const at::Tensor& ref, at::ScalarType dtype, const std::string& ctx) {
  const AttentionError e = attention_error(got, ref);
  const double u = dtype == at::kBFloat16 ? std::ldexp(1.0, -8) : std::ldexp(1.0, -24);
  EXPECT_LE(e.nmse, dtype == at::kBFloat16 ? 4 * u * u : 1e-10) << ctx;
  EXPECT_LE(e.max_abs, (dtype == at::kBFloat16 ? 8 * u : 1e3 * u) * std::max(1.0, e.ref_max)) << ctx;
  EXPECT_FALSE(at::isnan(got).any().item<bool>()) << ctx;
}

inline std::vector<nlohmann::json> executor_sweep_methods() {
  return {
      {{"name", "full"}},
      {{"name", "block_attention"}, {"block_tokens", 37}},
      {{"name", "block_attention"}, {"block_frames", 3}},
      {{"name", "ape"}, {"prefix_tokens", 11}, {"block_tokens", 50}},
      {{"name", "ape"}, {"prefix_frames", 1}, {"block_frames", 2}, {"temperature", 0.5}, {"scale", 1.3}},
      {{"name", "star"}, {"block_tokens", 45}, {"anchor_tokens", 20}},
      {{"name", "star"}, {"block_frames", 2}, {"recompute_anchor", false}},
      {{"name", "pevlm"}, {"sink_frames", 2}, {"block_frames", 3}},
      {{"name", "pevlm"}, {"sink_frames", 0}, {"block_frames", 4}},
      {{"name", "pevlm"}, {"sink_tokens", 30}, {"block_tokens", 41}, {"positions", "reuse"}},
  };
}

// Decode of 1 and 4 new tokens after a cache of L and L + 3 keys, every sweep method, fp32: `executor`
// equals the reference (the caller seeds the generator).
inline void expect_decode_matches_reference(attention::Executor& executor) {
  TokenLayout layout = make_synthetic_layout(SyntheticLayoutSpec{6, 6, 20, 5, false, 1, 20, 1});
  const int64_t L = layout.length, hq = 8, hkv = 2, d = 64;
  auto ref = attention::make_executor("reference");
  for (const auto& entry : executor_sweep_methods()) {
    AttentionPlan plan = plan_for(entry, layout);
    for (int64_t past : {L, L + 3}) {
      for (int64_t n : {1, 4}) {
        at::Tensor q = at::randn({n, hq, d}), k = at::randn({past + n, hkv, d}), v = at::randn({past + n, hkv, d});
        expect_attention_close(executor.decode(plan, {q, k, v}), ref->decode(plan, {q, k, v}), at::kFloat,
                               entry.dump() + " past=" + std::to_string(past) + " n=" + std::to_string(n));
      }
    }
  }
}

}  // namespace pevlm::testing
