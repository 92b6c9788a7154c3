// One layer's prefill attention for any plan (issue 25): a static plan goes to Executor::prefill;
// a data-dependent plan (AttentionPlan::data_dependent) runs its method's estimator on this layer's
// post-RoPE Q and K, then Executor::prefill_sparse on the per-head plan. The estimator's FLOPs and
// time, the precision of its products and the kept density are logged per layer (SparseLog) for
// result rows.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "attention/executor.h"
#include "methods/sparse/sparse_estimator.h"

namespace pevlm::attention {

struct SparseLayerRecord {
  int64_t layer = 0;
  double density_mean = 1, density_min = 1, density_max = 1;  // kept pairs / causal pairs, over heads
  double estimator_ms = 0;
  double estimator_flops = 0;
  double attention_flops = 0;  // the sparse plan's exact executor FLOPs (SparsePlan::flops)
};

struct SparseLog {
  std::vector<SparseLayerRecord> layers;
  std::string kernel;  // Executor::sparse_kernel() that ran
  std::string estimator_products;  // "fp32" | "bf16" (estimator_products_for)
  double estimator_ms() const;
  double estimator_flops() const;
  double attention_flops() const;
  // {"kernel", "estimator_products", "estimator_ms", "estimator_flops", "attention_flops",
  //  "density": {"mean","min","max"}, "layers": [{"layer", "density_mean", "density_min", "density_max", "estimator_ms"}...]}
  nlohmann::json to_json() const;
};

// The precision an estimator's products run in for these Q/K: bf16 for bf16 inputs on CUDA or on a CPU
// whose bf16 GEMM beats fp32 (the fused kernel's calibrated choice, attention/fused/tile_gemm.h:
// AMX machines; $PEVLM_FUSED_GEMM forces it either way), else fp32.
EstimatorProducts estimator_products_for(const at::Tensor& q_LHD);

// `log` may be null. Throws std::invalid_argument for a data-dependent plan whose method has no
// estimator (a registry bug) or an executor without a sparse path.
at::Tensor run_prefill(Executor& executor, const AttentionPlan& plan, const AttentionInputs& in, SparseLog* log = nullptr);

}  // namespace pevlm::attention
