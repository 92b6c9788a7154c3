// Decode of a few new tokens straight from the KV cache (decode_chunk.h): no packing, one pass over
// the cache per step. Work items are (KV head, key chunk) pairs pulled by both cores; each chunk
// leaves a partial softmax state per row that the merge combines -- first the chunks of one logit
// group (online log-sum-exp), then the groups as attention/lse_merge.cpp defines (APE's rule).
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

#include "attention/fused/fused_work.h"
#include "methods/attention_plan.h"

namespace pevlm::attention::fused {

// Query tokens up to which decode takes this path; longer steps (a speculative verify) amortise the
// packing of the tile path over enough rows to prefer its GEMMs. Measured at a 16k-token cache, 7B
// shape, bf16, 2 cores (bench/executor_bench BM_Decode): direct 9.5 / 30 / 59 ms vs packed 33 / 37 /
// 40 ms for 1 / 4 / 10 tokens.
constexpr int64_t kDirectDecodeMaxTokens = 4;
// Keys per work item: enough to amortise the merge, small enough that a long cache splits over cores.
constexpr int64_t kDirectDecodeChunk = 2048;

// q_LHD [n, Hq, D]; k/v_LHD [T, Hkv, D] with unit stride in D (any token / head strides, e.g. a
// narrowed cache); `seg` from decode_segments(); out_LHD [n, Hq, D] contiguous, q's dtype.
void decode_direct(const at::Tensor& q_LHD, const at::Tensor& k_LHD, const at::Tensor& v_LHD, const Segment& seg, double scale,
                   const std::vector<LogitGroup>& groups, const at::Tensor& out_LHD);

}  // namespace pevlm::attention::fused
