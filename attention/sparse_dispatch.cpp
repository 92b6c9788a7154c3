#include "attention/sparse_dispatch.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "attention/fused/tile_gemm.h"

namespace pevlm::attention {

double SparseLog::estimator_ms() const {
  double t = 0;
  for (const auto& l : layers) t += l.estimator_ms;
  return t;
}
double SparseLog::estimator_flops() const {
  double t = 0;
  for (const auto& l : layers) t += l.estimator_flops;
  return t;
}
double SparseLog::attention_flops() const {
  double t = 0;
  for (const auto& l : layers) t += l.attention_flops;
  return t;
}

nlohmann::json SparseLog::to_json() const {
  nlohmann::json per = nlohmann::json::array();
  double sum = 0, lo = 1, hi = 0;
  for (const auto& l : layers) {
    per.push_back({{"layer", l.layer}, {"density_mean", l.density_mean}, {"density_min", l.density_min},
                   {"density_max", l.density_max}, {"estimator_ms", l.estimator_ms}});
    sum += l.density_mean;
    lo = std::min(lo, l.density_min);
    hi = std::max(hi, l.density_max);
  }
  nlohmann::json density = layers.empty() ? nlohmann::json(nullptr)
                                          : nlohmann::json{{"mean", sum / double(layers.size())}, {"min", lo}, {"max", hi}};
  return {{"kernel", kernel},          {"estimator_products", estimator_products}, {"estimator_ms", estimator_ms()}, {"estimator_flops", estimator_flops()},
          {"attention_flops", attention_flops()}, {"density", density}, {"layers", per}};
}

EstimatorProducts estimator_products_for(const at::Tensor& q_LHD) {
  if (q_LHD.scalar_type() != at::kBFloat16) return EstimatorProducts::F32;
  if (!q_LHD.is_cpu()) return EstimatorProducts::Bf16;
  return fused::bf16_gemm_choice().path == fused::GemmPath::Bf16Vnni ? EstimatorProducts::Bf16 : EstimatorProducts::F32;
}

at::Tensor run_prefill(Executor& executor, const AttentionPlan& plan, const AttentionInputs& in, SparseLog* log) {
  if (!plan.data_dependent) return executor.prefill(plan, in);
  const SparseEstimator* estimator = find_sparse_estimator(plan.method);
  if (!estimator) throw std::invalid_argument("plan of '" + plan.method + "' is data-dependent but the method has no estimator");
  // The estimator reads tensors on the executor's device; its host reads synchronise there, so the
  // wall time below covers its device work.
  const auto t0 = std::chrono::steady_clock::now();
  SparseEstimate est = (*estimator)(in.q_LHD, in.k_LHD, plan.params, estimator_products_for(in.q_LHD));
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  est.plan.validate();
  at::Tensor out = executor.prefill_sparse(est.plan, in);
  if (log) {
    SparseLayerRecord r;
    r.layer = int64_t(log->layers.size());
    const nlohmann::json d = est.plan.density_summary();
    r.density_mean = d["mean"].get<double>();
    r.density_min = d["min"].get<double>();
    r.density_max = d["max"].get<double>();
    r.estimator_ms = ms;
    r.estimator_flops = est.flops;
    r.attention_flops = est.plan.flops(in.q_LHD.size(2));
    log->layers.push_back(r);
    log->kernel = executor.sparse_kernel();
    log->estimator_products = estimator_products_name(est.products);
  }
  return out;
}

}  // namespace pevlm::attention
