#include "harness/speed/speed_runner.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <memory>

#include "attention/planted_qk.h"
#include "attention/sparse_dispatch.h"
#include "attention/devices.h"
#include "attention/executor.h"
#include "attention/random_fill.h"
#include "harness/device_spec.h"
#include "harness/median.h"
#include "harness/progress.h"
#include "harness/provenance.h"
#include "harness/speed/gemm_probe.h"
#ifdef PEVLM_SPEED_WITH_LLM
#include "harness/speed/llm_speed.h"
#endif
#include "methods/method_registry.h"
#include "reduction/reduced_layout.h"

namespace pevlm {
namespace {

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

namespace {

// Per-row timings: attention of one layer (attention-only mode: synthetic Q/K/V through the
// executor; LLM mode: measured inside llm::Decoder::prefill, per layer) and, in LLM mode, the whole LLM.
struct RowTiming {
  double layer_attn_ms = 0;
  std::vector<double> layer_attn_all;
  nlohmann::json llm;  // LLM-mode fields, null otherwise
  attention::SparseLog sparse;  // data-dependent methods: the last repeat's per-layer log (issue 25)
  std::vector<double> estimator_all;  // estimator ms per timed repeat
};

struct SyntheticQkv {
  at::Tensor q, k, v;
};

// Drawn on the timing's device (attention/random_fill.h): no host draw and copy of 3 x L x heads x D.
SyntheticQkv synthetic_qkv(const SpeedConfig& c, int64_t L, at::ScalarType dtype, const c10::Device& device) {
  auto draw = [&](int64_t heads, uint64_t n) { return attention::random_normal({L, heads, c.head_dim}, n, device).to(dtype); };
  return SyntheticQkv{draw(c.heads, 0), draw(c.kv_heads, 1), draw(c.kv_heads, 2)};
}

// Data-dependent methods are timed on planted-structure Q/K (attention/planted_qk.h: sink = the
// leading text (at least 64 tokens), local band, frame-periodic diagonals with the layout's frame
// size); V stays random. Random Q/K attend uniformly and would keep every block.
SyntheticQkv planted_qkv(const SpeedConfig& c, const TokenLayout& layout, at::ScalarType dtype, const c10::Device& device) {
  attention::PlantedQkSpec spec;
  spec.length = layout.length, spec.heads = c.heads, spec.kv_heads = c.kv_heads, spec.head_dim = c.head_dim;
  spec.sink_tokens = std::max<int64_t>(64, layout.video_begin());
  spec.video_begin = layout.video_begin();
  spec.frame_tokens = layout.num_frames() > 0 ? layout.frame_start(1) - layout.frame_start(0) : 256;
  auto [q, k] = attention::planted_qk(spec, dtype, device);
  return SyntheticQkv{q, k, attention::random_normal({layout.length, c.kv_heads, c.head_dim}, 2, device).to(dtype)};
}

// One attention-only call of `plan`, added to `t` unless it is a warm-up.
void time_attention_once(const AttentionPlan& plan, attention::Executor& executor, const SyntheticQkv& qkv,
                         const c10::Device& device, bool warmup, RowTiming& t) {
  attention::synchronize_device(device);
  const auto t0 = std::chrono::steady_clock::now();
  // Data-dependent plans run their estimator inside the timed region (issue 25: part of the speedup).
  attention::SparseLog log;
  at::Tensor out = attention::run_prefill(executor, plan, {qkv.q, qkv.k, qkv.v}, &log);
  attention::synchronize_device(device);
  const double dt = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (warmup) return;
  t.layer_attn_all.push_back(dt);
  if (!log.layers.empty()) t.estimator_all.push_back(log.estimator_ms()), t.sparse = log;
}

// Attention-only timings of every plan of one length, interleaved: each repeat times every method
// once, in config order, instead of all repeats of one method before the next. On a machine whose
// speed drifts (a VM's shared L3 and memory: full attention at 32k took 2.4-3.6 s per call across
// runs of one hour on the 2-core Xeon, 2026-12-08) the drift then hits every method alike, and the
// paired ratio per repeat (speedup_vs_full_paired) cancels most of it.
std::vector<RowTiming> time_attention_interleaved(const SpeedConfig& c, const std::vector<const AttentionPlan*>& plans,
                                                  attention::Executor& executor, const SyntheticQkv& qkv,
                                                  const c10::Device& device) {
  std::vector<RowTiming> t(plans.size());
  Progress progress("speed repeats", c.warmup + c.repeats);
  for (int r = 0; r < c.warmup + c.repeats; ++r) {
    for (size_t i = 0; i < plans.size(); ++i) time_attention_once(*plans[i], executor, qkv, device, r < c.warmup, t[i]);
    progress.advance(1, r < c.warmup ? "warm-up" : "");
  }
  for (RowTiming& x : t) x.layer_attn_ms = median_sample(x.layer_attn_all);
  return t;
}

// Median over repeats of full's time / the method's time in the same repeat (interleaved timings).
double paired_speedup(const std::vector<double>& full_all, const std::vector<double>& method_all) {
  std::vector<double> r;
  for (size_t i = 0; i < std::min(full_all.size(), method_all.size()); ++i) r.push_back(full_all[i] / method_all[i]);
  return median(r);
}

#ifdef PEVLM_SPEED_WITH_LLM
std::string scaling_note(int64_t K, int64_t N) {
  char buf[128];
  std::snprintf(buf, sizeof(buf), "measured %lld of %lld layers, scaled by N/K = %.4g", (long long)K, (long long)N,
                double(N) / double(K));
  return buf;
}

// K measured layers scaled by N/K. Star's recompute_anchor re-runs the linear layers for the anchor
// copies (plan.redundant_tokens()); llm::Decoder computes each token once, so that work is added as the
// measured per-token non-attention cost times the redundant tokens (stated in the row).
RowTiming time_llm(const SpeedConfig& c, const AttentionPlan& plan, attention::Executor& executor,
                   const LlmPrefillTimer& timer) {
  const LlmPrefillTiming m = timer.time(plan, executor, c.warmup, c.repeats);
  const int64_t K = timer.layers_timed(), N = c.layers_total;
  const double scale = double(N) / double(K);
  RowTiming t;
  t.layer_attn_ms = m.attn_ms / double(K);
  for (double a : m.attn_all) t.layer_attn_all.push_back(a / double(K));
  const double attn_ms = m.attn_ms * scale, base_other_ms = m.other_ms * scale;
  const int64_t redundant = plan.redundant_tokens();
  const double anchor_ms = base_other_ms * double(redundant) / double(plan.length);
  t.llm = {{"attn_ms", attn_ms},
           {"other_ms", base_other_ms + anchor_ms},
           {"llm_ms", attn_ms + base_other_ms + anchor_ms},
           {"llm_attn_ms_all", m.attn_all},
           {"llm_other_ms_all", m.other_all},
           {"layers_timed", K},
           {"layers_total", N},
           {"scaling", scaling_note(K, N)},
           {"llm_dtype", c.llm_dtype},
           {"model", c.model_source},
           {"lm_head", "not timed (llm::LogitRows::None; embeddings are random inputs)"},
           {"redundant_tokens", redundant}};
  if (redundant > 0) {
    t.llm["anchor_recompute_ms"] = anchor_ms;
    t.llm["anchor_recompute"] = "scaled, not measured: other_ms per token x " + std::to_string(redundant) +
                                " redundant anchor tokens (included in other_ms)";
  }
  return t;
}

// FLOPs of one decoder layer over `plan`: the linear layers per token (q, k, v, o projections and the SwiGLU
// MLP: 2 FLOPs per multiply-add) plus the plan's attention (exact, AttentionPlan::flops).
double layer_flops(const SpeedConfig& c, const AttentionPlan& plan) {
  const double h = double(c.hidden), kv = double(c.kv_heads * c.head_dim), inter = double(c.intermediate);
  const double linear_per_token = 2.0 * h * (h + 2.0 * kv + h) + 2.0 * 3.0 * h * inter;
  return linear_per_token * double(plan.length) + plan.flops(c.heads, c.head_dim);
}

// A row of `method` under a token reduction (LLM mode): the reduction's own time plus the prefill of the
// reduced sequence, scaled to the model's depth per phase (FastV: the k layers before the reduction run on
// all N tokens and are measured as they are; the layers after it run on N' and are scaled from the timed
// ones), beside its FLOP-ratio limit against full attention without reduction.
nlohmann::json reduced_row(const SpeedConfig& c, const TokenLayout& layout, const MethodConfig& m,
                           const reduction::ReductionConfig& r, attention::Executor& executor,
                           const LlmPrefillTimer& timer, double full_llm_ms, double full_model_flops) {
  const LlmPrefillTiming t = timer.time_reduced(layout, m, r, executor, c.warmup, c.repeats);
  const int64_t K = timer.layers_timed(), N = c.layers_total;
  const TokenLayout& after = t.reduced_layout;
  const AttentionPlan reduced_plan = build_plan(m, after);
  double attn_ms = 0, other_ms = 0, model_flops = 0;
  nlohmann::json phases;
  if (t.reduced_from_layer >= 0) {
    const int64_t k = t.reduced_from_layer;
    const double attn1 = t.attn_ms - t.attn_after_ms, other1 = t.other_ms - t.other_after_ms;
    const double scale2 = double(N - k) / double(K - k);
    attn_ms = attn1 + t.attn_after_ms * scale2;
    other_ms = other1 + t.other_after_ms * scale2;
    model_flops = double(k) * layer_flops(c, build_plan(m, layout)) + double(N - k) * layer_flops(c, reduced_plan);
    phases = {{"phase1_layers", k},
              {"phase1_tokens", layout.length},
              {"phase1_ms", attn1 + other1},
              {"phase2_layers", N - k},
              {"phase2_tokens", after.length},
              {"phase2_ms", (t.attn_after_ms + t.other_after_ms) * scale2},
              {"scaling", "phase 1 (layers < k) measured as is; phase 2 measured over " + std::to_string(K - k) +
                              " layers, scaled by " + std::to_string(N - k) + "/" + std::to_string(K - k)}};
  } else {
    attn_ms = t.attn_ms * double(N) / double(K);
    other_ms = t.other_ms * double(N) / double(K);
    model_flops = double(N) * layer_flops(c, reduced_plan);
    phases = {{"scaling", scaling_note(K, N)}};
  }
  const double llm_ms = attn_ms + other_ms + t.reduction_ms;
  const double speedup = full_llm_ms / llm_ms, flop_ratio = full_model_flops / model_flops;
  const nlohmann::json before_counts = reduction::layout_counts(layout), after_counts = reduction::layout_counts(after);
  return {{"method", m.name},
          {"label", m.label() + "+" + r.label()},
          {"params", m.params},
          {"reduction", r.to_json()},
          {"reduction_label", r.label()},
          {"reduction_stage", reduction::stage_name(r.stage())},
          {"tokens", layout.length},
          {"tokens_before", before_counts},
          {"tokens_after", after_counts},
          {"token_counts", reduced_plan.token_counts()},
          {"attn_ms", attn_ms},
          {"other_ms", other_ms},
          {"reduction_ms", t.reduction_ms},
          {"reduction_ms_all", t.reduction_all},
          {"llm_ms", llm_ms},
          {"llm_attn_ms_all", t.attn_all},
          {"llm_other_ms_all", t.other_all},
          {"phases", phases},
          {"layers_timed", K},
          {"layers_total", N},
          {"llm_flops", model_flops},
          {"llm_flop_ratio_vs_full", flop_ratio},
          {"llm_speedup_vs_full", speedup},
          {"llm_speedup_over_flop_ratio", speedup / flop_ratio},
          {"llm_dtype", c.llm_dtype},
          {"model", c.model_source},
          {"lm_head", "not timed (LogitRows::None; embeddings are random inputs)"}};
}
#endif

}  // namespace

std::vector<nlohmann::json> run_speed(const SpeedConfig& c, const std::function<void(const nlohmann::json&)>& on_row) {
  if (c.threads > 0) at::set_num_threads(c.threads);
  // The timing's device (c.device: "cpu" or "cuda:N"); the executor must run there.
  const c10::Device device = attention::indexed_device(c10::Device(c.device));
  attention::check_executor_device(c.executor, device);
  auto executor = attention::make_executor(c.executor);
  const at::ScalarType dtype = c.dtype == "bf16" ? at::kBFloat16 : at::kFloat;
  const nlohmann::json prov = provenance();
  // What the rows say about the device: "cpu: <model>" or "cuda:N: <GPU> (sm_90, ...)".
  const std::string device_description = resolve_device(c.device).description;
#ifdef PEVLM_SPEED_WITH_LLM
  std::unique_ptr<LlmPrefillTimer> timer;
  if (c.time_llm()) {
    std::fprintf(stderr, "[speed] building %lld random %s decoder layer(s) of %s ...\n",
                 (long long)(c.layers == 0 ? c.layers_total : c.layers),
                 c.llm_dtype.c_str(), c.model_source.c_str());
    timer = std::make_unique<LlmPrefillTimer>(c.model, c.layers, c.llm_dtype, device, "speed");
  }
#else
  if (c.time_llm()) throw std::invalid_argument("speed: 'model:' (LLM timing) needs a build with models/ (not PEVLM_CORE_ONLY)");
#endif
  std::fprintf(stderr, "[speed] measuring the GEMM limit ...\n");
  const GemmRates gemm = measure_gemm_rates(3, device);
  std::fprintf(stderr, "[speed] GEMM: fp32 %.1f GFLOP/s (%lld^3), bf16 %.1f GFLOP/s (%lld^3)\n", gemm.fp32_gflops,
               (long long)gemm.fp32_size, gemm.bf16_gflops, (long long)gemm.bf16_size);
  std::vector<nlohmann::json> rows;
  Progress progress("speed", int64_t(c.frames.size() * c.methods.size() * c.reductions.size()));
  for (int64_t frames : c.frames) {
    const TokenLayout layout = speed_layout(c, frames);
    const int64_t L = layout.length;
    bool any_dynamic = false;
    for (const MethodConfig& m : c.methods) any_dynamic |= is_data_dependent(m);
    const SyntheticQkv qkv = c.time_llm() ? SyntheticQkv{}
                             : any_dynamic ? planted_qkv(c, layout, dtype, device)
                                           : synthetic_qkv(c, L, dtype, device);
    double full_ms = 0, full_flops = 0, full_llm_ms = 0, full_model_flops = 0;
    (void)full_model_flops;
    std::vector<std::pair<reduction::ReductionConfig, MethodConfig>> runs;  // "none" first: the baselines
    for (const auto& r : c.reductions)
      for (const auto& m : c.methods) runs.emplace_back(r, m);
    // Attention-only rows: every plan built first, then timed interleaved (time_attention_interleaved).
    std::vector<AttentionPlan> plans;
    std::vector<RowTiming> timings;
    std::vector<double> full_all;
    if (!c.time_llm()) {
      for (const auto& run : runs) plans.push_back(build_plan(run.second, layout));
      std::vector<const AttentionPlan*> ptrs;
      for (const AttentionPlan& p : plans) ptrs.push_back(&p);
      timings = time_attention_interleaved(c, ptrs, *executor, qkv, device);
    }
    for (size_t run_index = 0; run_index < runs.size(); ++run_index) {
      const auto& [r, m] = runs[run_index];
#ifdef PEVLM_SPEED_WITH_LLM
      if (!r.is_none()) {
        nlohmann::json row = reduced_row(c, layout, m, r, *executor, *timer, full_llm_ms, full_model_flops);
        row.update({{"frames", frames}, {"executor", executor->name()}, {"kernel", executor->kernel()},
                    {"threads", at::get_num_threads()}, {"device", device_description}, {"peak_rss_mib", peak_rss_mib()},
                    {"commit", prov["commit"]}, {"provenance", prov}});
        char rnote[256];
        std::snprintf(rnote, sizeof(rnote), "%s L=%lld -> %lld: LLM %.1f ms (reduction %.1f), x%.2f vs full (FLOP limit x%.2f)",
                      row["label"].get<std::string>().c_str(), (long long)L,
                      (long long)row["tokens_after"]["total"].get<int64_t>(), row["llm_ms"].get<double>(),
                      row["reduction_ms"].get<double>(), row["llm_speedup_vs_full"].get<double>(),
                      row["llm_flop_ratio_vs_full"].get<double>());
        rows.push_back(row);
        if (on_row) on_row(row);
        progress.advance(1, rnote);
        continue;
      }
#endif
      const AttentionPlan plan = c.time_llm() ? build_plan(m, layout) : plans[run_index];
#ifdef PEVLM_SPEED_WITH_LLM
      const RowTiming t = timer ? time_llm(c, plan, *executor, *timer) : timings[run_index];
#else
      const RowTiming t = timings[run_index];
#endif
      const double layer_ms = t.layer_attn_ms;
      // A data-dependent plan counts what its per-head sparse plan computed plus its estimator.
      const bool dynamic = !t.sparse.layers.empty();
      const double flops = dynamic ? t.sparse.attention_flops() + t.sparse.estimator_flops() : plan.flops(c.heads, c.head_dim);
      if (m.name == "full") full_ms = layer_ms, full_flops = flops, full_all = t.layer_attn_all;
      const double gflops = flops / (layer_ms * 1e-3) / 1e9;
      nlohmann::json row = {
          {"method", m.name},
          {"label", m.label()},
          {"params", m.params},
          {"tokens", L},
          {"frames", frames},
          {"token_counts", plan.token_counts()},
          {"attn_ms", layer_ms},
          {"layer_attn_ms", layer_ms},
          {"attn_ms_all", t.layer_attn_all},
          {"speedup_vs_full", full_ms / layer_ms},
          {"flops_executed", flops},
          {"gflop_executed", flops / 1e9},
          {"flop_ratio_vs_full", full_flops / flops},
          // How close the measured speedup comes to its FLOP limit (1 = no executor overhead; issue 15).
          {"speedup_over_flop_ratio", (full_ms / layer_ms) / (full_flops / flops)},
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
          {"device", device_description},
          {"cpu_features", prov["machine"]["isa"]},  // host CPU flags: amx_*, avx512_bf16, avx2, ...
          {"peak_rss_mib", peak_rss_mib()},
          {"commit", prov["commit"]},
          {"provenance", prov},
      };
      row["qk"] = c.time_llm() ? "model" : any_dynamic ? "planted" : "random";
      if (!c.time_llm()) {
        row["timing_order"] = "interleaved: each repeat times every method once, in config order";
        const double paired = paired_speedup(full_all, t.layer_attn_all);
        row["speedup_vs_full_paired"] = paired;
        row["speedup_over_flop_ratio_paired"] = paired / (full_flops / flops);
      }
      if (dynamic) {
        // Issue 25: kept density (per layer: mean, min/max over heads), estimator cost and share.
        nlohmann::json sp = t.sparse.to_json();
        sp["estimator_ms"] = median(t.estimator_all);
        sp["estimator_share"] = median(t.estimator_all) / layer_ms;
        sp["flop_ratio_vs_full_without_estimator"] = full_flops / t.sparse.attention_flops();
        row["sparse"] = sp;
        row["kernel"] = t.sparse.kernel + "; estimator products " + t.sparse.estimator_products;
      }
      char note[256];
      if (!t.llm.is_null()) {
        // LLM mode: attn_ms is the whole LLM's attention (all layers); layer_attn_ms stays per layer.
        row.update(t.llm);
        row["dtype"] = c.llm_dtype;
        row["shape"]["hidden"] = c.hidden, row["shape"]["intermediate"] = c.intermediate;
        if (m.name == "full") full_llm_ms = t.llm["llm_ms"].get<double>();
#ifdef PEVLM_SPEED_WITH_LLM
        if (m.name == "full") full_model_flops = double(c.layers_total) * layer_flops(c, plan);
        row["llm_flops"] = double(c.layers_total) * layer_flops(c, plan);
#endif
        row["llm_speedup_vs_full"] = full_llm_ms / t.llm["llm_ms"].get<double>();
        std::snprintf(note, sizeof(note), "%s L=%lld: LLM %.1f ms (attn %.1f + other %.1f), x%.2f vs full", m.label().c_str(),
                      (long long)L, row["llm_ms"].get<double>(), row["attn_ms"].get<double>(), row["other_ms"].get<double>(),
                      row["llm_speedup_vs_full"].get<double>());
      } else {
        std::snprintf(note, sizeof(note), "%s L=%lld: %.1f ms, x%.2f vs full (FLOP ratio x%.2f), %.1f GFLOP/s",
                      m.label().c_str(), (long long)L, layer_ms, full_ms / layer_ms, full_flops / flops, gflops);
      }
      rows.push_back(row);
      if (on_row) on_row(row);  // on disk before the next row starts (speed_command.cpp)
      progress.advance(1, note);
    }
  }
  return rows;
}

}  // namespace pevlm
