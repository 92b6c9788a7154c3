// Estimators of data-dependent methods (issue 25): run inside each layer's prefill on that layer's
// post-RoPE Q [L, Hq, D] and K [L, Hkv, D] (GQA: query head h reads KV head h / (Hq / Hkv), as the
// references' repeat_kv does) and return a per-head SparsePlan. Their own work is counted
// (`flops`) and timed by the caller (`estimator_ms`).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>

#include "methods/sparse_plan.h"

namespace pevlm {

// The precision of an estimator's QK^T products. F32: exact (the goldens' precision, and the only
// one for fp32 inputs). Bf16: bf16 operands with fp32 accumulation, softmax and sums still in fp32 --
// for bf16 inputs where the device has a fast bf16 GEMM (CUDA; AMX CPUs): what the reference runs on a
// bf16 model (x-attention's torch path multiplies in the model dtype). The caller decides
// (attention/sparse_dispatch.h) and the row records it.
enum class EstimatorProducts { F32, Bf16 };
const char* estimator_products_name(EstimatorProducts p);

struct SparseEstimate {
  SparsePlan plan;
  double flops = 0;  // the estimator's multiply-add work, 2 FLOPs each (its QK^T products)
  EstimatorProducts products = EstimatorProducts::F32;  // the precision its products ran in
};

// params: the method's resolved parameters (methods/method_registry).
using SparseEstimator = std::function<SparseEstimate(const at::Tensor& q_LHD, const at::Tensor& k_LHD,
                                                     const nlohmann::json& params, EstimatorProducts products)>;

// The estimator of a registered data-dependent method, or nullptr for a static method.
const SparseEstimator* find_sparse_estimator(const std::string& method);

// XAttention (mit-han-lab/x-attention xattn/src/Xattention.py xattn_estimate + utils.py
// find_blocks_chunked): antidiagonal strided block scores, smallest block set reaching threshold.
// chunk_tokens: the reference's chunk_size; 0 = Xattention_prefill's choice (xattention_auto_chunk).
SparseEstimate xattention_estimate(const at::Tensor& q_LHD, const at::Tensor& k_LHD, int64_t block_tokens,
                                   int64_t stride, double threshold, int64_t chunk_tokens = 0,
                                   EstimatorProducts products = EstimatorProducts::F32);
int64_t xattention_auto_chunk(int64_t length);
// The estimator's executed QK^T FLOPs (its chunked causal reduced-resolution products).
double xattention_estimator_flops(int64_t L, int64_t hq, int64_t D, int64_t block_tokens, int64_t stride);
// The block scores alone [Hq, nb, nb] float32 (x-attention's attn_sums), for goldens.
at::Tensor xattention_block_sums(const at::Tensor& q_LHD, const at::Tensor& k_LHD, int64_t block_tokens, int64_t stride,
                                 EstimatorProducts products = EstimatorProducts::F32);
// find_blocks_chunked's selection of one row of block sums (query block `row`): kept key blocks.
// `first_forced`: block 0 is forced (query blocks outside the reference's first chunk).
std::vector<uint8_t> xattention_select_row(const double* sums, int64_t num_blocks, int64_t row, double threshold,
                                           bool first_forced);

// MInference vertical-slash (microsoft/MInference minference/modules/minference_forward.py
// minference_prefill_kernel.vertical_and_slash_kernel): per head, the selected key columns
// (ascending) and diagonal offsets (descending, 0 = main diagonal), as the reference hands them
// to vertical_slash_sparse_attention.
struct VerticalSlashIndices {
  std::vector<std::vector<int64_t>> vertical;  // [Hq][vertical_size]
  std::vector<std::vector<int64_t>> slash;     // [Hq][slash_size] offsets
};
// The scores the selection ranks, float32 [Hq, L] each: `vertical` the column sums of the last
// last_q queries' softmax, `slash` its diagonal sums (index i: the diagonal key = query - (L - 1 - i)),
// before the always-kept entries are set to +inf.
struct VerticalSlashScores {
  at::Tensor vertical, slash;
};
VerticalSlashScores vertical_slash_scores(const at::Tensor& q_LHD, const at::Tensor& k_LHD, int64_t last_q,
                                          EstimatorProducts products = EstimatorProducts::F32);
VerticalSlashIndices vertical_slash_indices(const at::Tensor& q_LHD, const at::Tensor& k_LHD, int64_t vertical_size,
                                            int64_t slash_size, int64_t last_q,
                                            EstimatorProducts products = EstimatorProducts::F32);
// The key intervals the reference kernel computes for one head (csrc/vertical_slash_index.cu
// convert_vertical_slash_indexes_kernel, 64 x 64 blocks): slashes widened to 64-key ranges,
// vertical columns outside them kept one by one.
void vertical_slash_to_plan(const std::vector<int64_t>& vertical, const std::vector<int64_t>& slash, int64_t head,
                            SparsePlan& plan);
SparseEstimate vertical_slash_estimate(const at::Tensor& q_LHD, const at::Tensor& k_LHD, int64_t vertical_size,
                                       int64_t slash_size, int64_t last_q,
                                       EstimatorProducts products = EstimatorProducts::F32);

}  // namespace pevlm
