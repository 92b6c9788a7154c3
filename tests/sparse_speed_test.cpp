// Timing of per-head sparse prefill against the fused dense kernel (issue 25), run by hand:
//   PEVLM_SPARSE_SPEED_L=16384 [PEVLM_SPARSE_SPEED_HEADS=28 PEVLM_SPARSE_SPEED_KV_HEADS=4] \
//     ./sparse_speed_test --gtest_also_run_disabled_tests
// (fewer heads with the same 7:1 grouping time a fraction of the layer: same ratios, less time).
// Qwen2.5-VL-7B layer shape (28 query heads, 4 KV heads, head_dim 128), fp32 inputs, one layer.
// Rows: forced densities 10-90 % (make_forced_density_plan) with the FLOP-ratio limit, and both
// estimators' cost at this length (their work does not depend on the values).
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>

#include "attention/executor.h"
#include "attention/planted_qk.h"
#include "methods/method_registry.h"
#include "methods/sparse/sparse_estimator.h"

namespace pevlm {
namespace {

int64_t env_int(const char* name, int64_t fallback) {
  const char* v = std::getenv(name);
  return v ? std::atoll(v) : fallback;
}

// Rows are printed as they come (stdout may be a file).
void flush() { std::fflush(stdout); }

template <class F>
double time_ms(F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

TEST(SparseSpeed, DISABLED_ForcedDensitySweep) {
  const int64_t L = env_int("PEVLM_SPARSE_SPEED_L", 16384), hq = env_int("PEVLM_SPARSE_SPEED_HEADS", 28),
                hkv = env_int("PEVLM_SPARSE_SPEED_KV_HEADS", 4), d = 128;
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // rows appear as they are measured
  at::manual_seed(0);
  at::Tensor q = at::randn({L, hq, d}), k = at::randn({L, hkv, d}), v = at::randn({L, hkv, d});
  auto cpu = attention::make_executor("cpu");
  TokenLayout layout = make_synthetic_layout(SyntheticLayoutSpec{0, 1, L, 0, false, 1, L, 1});
  const AttentionPlan full = build_plan(resolve_method({{"name", "full"}}), layout);
  const double full_flops = full.flops(hq, d);
  const double t_full = time_ms([&] { cpu->prefill(full, {q, k, v}); });
  double t_xa = 0, t_vs = 0, f_xa = 0, f_vs = 0;
  t_xa = time_ms([&] { f_xa = xattention_estimate(q, k, 128, 16, 0.9).flops; });
  t_vs = time_ms([&] { f_vs = vertical_slash_estimate(q, k, 1000, 6096, 64).flops; });
  std::printf("L %lld heads %lld/%lld d %lld: full (fused %s) %.0f ms, %.3g FLOP\n", (long long)L, (long long)hq,
              (long long)hkv, (long long)d, cpu->kernel().c_str(), t_full, full_flops);
  std::printf("estimators: xattention(S=16) %.0f ms %.3g FLOP (%.2f%% of full); vertical_slash %.0f ms %.3g FLOP (%.2f%%)\n",
              t_xa, f_xa, 100 * f_xa / full_flops, t_vs, f_vs, 100 * f_vs / full_flops);
  std::printf("density  sparse_ms  speedup  limit  eff | +xa_est speedup limit eff\n");
  for (double dens : {1.0, 0.9, 0.7, 0.5, 0.3, 0.1}) {
    const SparsePlan p = make_forced_density_plan(L, hq, 128, dens, 1);
    const double t = time_ms([&] { cpu->prefill_sparse(p, {q, k, v}); });
    const double f = p.flops(d), lim = full_flops / f, sp = t_full / t;
    const double sp_e = t_full / (t + t_xa), lim_e = full_flops / (f + f_xa);
    flush();
    std::printf("%.3f  %9.0f  %7.2f  %5.2f  %.2f | %7.2f %5.2f %.2f\n", p.density_summary()["mean"].get<double>(), t, sp, lim,
                sp / lim, sp_e, lim_e, sp_e / lim_e);
  }
  // Planted-structure Q/K (attention/planted_qk.h; layout: 20 text tokens then 256-token frames).
  attention::PlantedQkSpec spec;
  spec.length = L, spec.heads = hq, spec.kv_heads = hkv, spec.head_dim = d;
  spec.sink_tokens = 64, spec.video_begin = 20, spec.frame_tokens = 256;
  auto [pq, pk] = attention::planted_qk(spec, at::kFloat, at::Device(at::kCPU));
  struct Est {
    const char* name;
    std::function<SparseEstimate()> run;
  };
  const std::vector<Est> ests = {{"xattention(S=16,tau=0.9)", [&] { return xattention_estimate(pq, pk, 128, 16, 0.9); }},
                                 {"xattention(S=8,tau=0.9)", [&] { return xattention_estimate(pq, pk, 128, 8, 0.9); }},
                                 {"vertical_slash(1000,6096)", [&] { return vertical_slash_estimate(pq, pk, 1000, 6096, 64); }}};
  std::printf("planted Q/K: method  density(mean/min/max)  est_ms  sparse_ms  speedup_incl_est  limit_incl_est  eff  est_share\n");
  for (const Est& e : ests) {
    SparseEstimate est;
    const double te = time_ms([&] { est = e.run(); });
    const double t = time_ms([&] { cpu->prefill_sparse(est.plan, {pq, pk, v}); });
    const nlohmann::json dsum = est.plan.density_summary();
    const double lim = full_flops / (est.plan.flops(d) + est.flops), sp = t_full / (t + te);
    std::printf("%s  %.3f/%.3f/%.3f  %.0f  %.0f  %.2f  %.2f  %.2f  %.3f\n", e.name, dsum["mean"].get<double>(),
                dsum["min"].get<double>(), dsum["max"].get<double>(), te, t, sp, lim, sp / lim, te / (t + te));
  }
}

}  // namespace
}  // namespace pevlm
