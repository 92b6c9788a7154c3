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

// Query tokens up to which decode takes this path; longer steps (a chunked prompt extension) amortise
// the packing of the tile path. Measured at a 16k-token cache, 7B shape, bf16, 2 cores, loaded
// machine (bench/executor_bench BM_Decode): direct 13 / 26 / 35 / 99 ms for 1 / 10 / 17 / 64 tokens,
// packed tile path 33 / 40 / 66 / 128 ms (1 / 10 / 17 / 65), cpu_pieces 12 / 39 / 59 / 199 ms.
constexpr int64_t kDirectDecodeMaxTokens = 64;
// Keys per work item: enough to amortise the merge, small enough that a long cache splits over cores.
constexpr int64_t kDirectDecodeChunk = 2048;

// q_LHD [n, Hq, D]; k/v_LHD [T, Hkv, D] with unit stride in D (any token / head strides, e.g. a
// narrowed cache); `seg` from decode_segments(); out_LHD [n, Hq, D] contiguous, q's dtype.
void decode_direct(const at::Tensor& q_LHD, const at::Tensor& k_LHD, const at::Tensor& v_LHD, const Segment& seg, double scale,
                   const std::vector<LogitGroup>& groups, const at::Tensor& out_LHD);

}  // namespace pevlm::attention::fused
