#include "harness/speed/speed_runner.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "attention/executor.h"
#ifdef PEVLM_WITH_CUDA
#include <c10/cuda/CUDAFunctions.h>
#endif
#include "harness/progress.h"
#include "harness/provenance.h"
#include "harness/speed/gemm_probe.h"
#include "methods/method_registry.h"

namespace pevlm {
namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// CUDA executors run on device tensors; timings need the device idle before and after a call.
bool on_cuda(const std::string& executor) { return executor.rfind("cuda", 0) == 0; }
void device_sync(bool cuda) {
#ifdef PEVLM_WITH_CUDA
  if (cuda) c10::cuda::device_synchronize();
#else
  if (cuda) throw std::invalid_argument("executor cuda needs a CUDA build (-DPEVLM_CUDA=ON)");
#endif
}

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) / 1024.0;
}

}  // namespace

TokenLayout speed_layout(const SpeedConfig& c, int64_t frames) {
  int64_t gh = int64_t(std::sqrt(double(c.tokens_per_frame)));
  while (gh > 1 && c.tokens_per_frame % gh) --gh;
  return make_synthetic_layout(
      SyntheticLayoutSpec{c.system_tokens, frames, c.tokens_per_frame, c.question_tokens, true, gh, c.tokens_per_frame / gh, 2});
}

std::vector<nlohmann::json> run_speed(const SpeedConfig& c) {
  if (c.threads > 0) at::set_num_threads(c.threads);
  auto executor = attention::make_executor(c.executor);
  const at::ScalarType dtype = c.dtype == "bf16" ? at::kBFloat16 : at::kFloat;
  const nlohmann::json prov = provenance();
  std::fprintf(stderr, "[speed] measuring the GEMM limit ...\n");
  const GemmRates gemm = measure_gemm_rates();
  std::fprintf(stderr, "[speed] GEMM: fp32 %.1f GFLOP/s (%lld^3), bf16 %.1f GFLOP/s (%lld^3)\n", gemm.fp32_gflops,
               (long long)gemm.fp32_size, gemm.bf16_gflops, (long long)gemm.bf16_size);
  std::vector<nlohmann::json> rows;
  Progress progress("speed", int64_t(c.frames.size() * c.methods.size()));
  for (int64_t frames : c.frames) {
    const TokenLayout layout = speed_layout(c, frames);
    const int64_t L = layout.length;
    at::manual_seed(0);
    at::Tensor q = at::randn({L, c.heads, c.head_dim}).to(dtype);
    at::Tensor k = at::randn({L, c.kv_heads, c.head_dim}).to(dtype);
    at::Tensor v = at::randn({L, c.kv_heads, c.head_dim}).to(dtype);
    const bool cuda = on_cuda(c.executor);
    if (cuda) {
      q = q.to(at::Device(at::kCUDA));
      k = k.to(at::Device(at::kCUDA));
      v = v.to(at::Device(at::kCUDA));
    }
    double full_ms = 0, full_flops = 0;
    for (const MethodConfig& m : c.methods) {
      const AttentionPlan plan = build_plan(m, layout);
      std::vector<double> ms;
      for (int r = 0; r < c.warmup + c.repeats; ++r) {
        device_sync(cuda);
        const auto t0 = std::chrono::steady_clock::now();
        at::Tensor out = executor->prefill(plan, {q, k, v});
        device_sync(cuda);
        const double dt = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        if (r >= c.warmup) ms.push_back(dt);
      }
      const double attn_ms = median(ms);
      const double flops = plan.flops(c.heads, c.head_dim);
      if (m.name == "full") full_ms = attn_ms, full_flops = flops;
      const double gflops = flops / (attn_ms * 1e-3) / 1e9;
      nlohmann::json row = {
          {"method", m.name},
          {"label", m.label()},
          {"params", m.params},
          {"tokens", L},
          {"frames", frames},
          {"token_counts", plan.token_counts()},
          {"attn_ms", attn_ms},
          {"attn_ms_all", ms},
          {"speedup_vs_full", full_ms / attn_ms},
          {"flops_executed", flops},
          {"gflop_executed", flops / 1e9},
          {"flop_ratio_vs_full", full_flops / flops},
          {"paper_eq10_flops", plan.paper_eq10_flops(c.heads * c.head_dim)},
          {"gflops_per_s", gflops},
          {"gemm_gflops_per_s", gemm.best()},
          {"gemm", gemm.to_json()},
          {"efficiency", gflops / gemm.best()},
          {"dtype", c.dtype},
          {"shape", {{"heads", c.heads}, {"kv_heads", c.kv_heads}, {"head_dim", c.head_dim}}},
          {"executor", executor->name()},
          {"kernel", executor->kernel()},
          {"threads", at::get_num_threads()},
          {"device", cuda ? std::string("cuda") : "cpu: " + prov["machine"]["cpu"].get<std::string>()},
          {"peak_rss_mib", peak_rss_mib()},
          {"commit", prov["commit"]},
          {"provenance", prov},
      };
      rows.push_back(row);
      char note[256];
      std::snprintf(note, sizeof(note), "%s L=%lld: %.1f ms, x%.2f vs full (FLOP ratio x%.2f), %.1f GFLOP/s", m.label().c_str(),
                    (long long)L, attn_ms, full_ms / attn_ms, full_flops / flops, gflops);
      progress.advance(1, note);
    }
  }
  return rows;
}

}  // namespace pevlm
