// The fused CPU attention kernel for parallel-encoding plans (issue 15). For each work item
// (segment, KV head, query tile) ONE pass of online softmax runs over every key range the segment
// sees -- sink / prefix / anchor keys, the block's own causal keys, or everything for the question --
// with no partial outputs written: S = Q K^T and O += P V per key tile through cpublas::brgemm, the
// exp/rescale step vectorised per ISA, and the plan's logit groups (APE) kept as separate running
// (max, sum, O) per row, combined at the end exactly as attention/lse_merge.cpp does:
//   lse_g = max_g + log(sum_g) (tempered logits), W = logsumexp_g(e_g lse_g),
//   out = sum_g exp(e_g lse_g - W) O_g / sum_g.
// GQA: the tile stacks the Hq/Hkv query heads of one KV head as rows (token-major), so K/V are read
// once per tile, never repeated. Threads pull items longest-first (at::parallel_for over threads,
// dynamic counter), so any plan -- one huge query range or hundreds of small blocks -- keeps every
// core busy. Per-head sparse plans: the query heads of one KV head over one short query block are one
// item (fused_work.h WorkItem::heads), their windows interleaved by key.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "attention/fused/fused_work.h"
#include "attention/fused/key_layout.h"
#include "attention/fused/tile_gemm.h"
#include "methods/attention_plan.h"

namespace pevlm::attention::fused {

// Tile sizes: ~224 query rows (32 tokens x 7 heads at the 7B shape) x at most 640 keys (equal tiles,
// so long ranges run ~500-640-key tiles and a 2-frame sink of 532 keys is one tile, not two: fewer
// per-tile softmax steps for the small-sink configurations; 512 / 640 / 768 measured 0.86 / 0.87 /
// 0.87 of the FLOP ratio for PEVLM sys+2f/4f at 16k, one core). Per thread: S (P aliases it on the fp32
// path) 224 x 640 fp32 (~0.57 MB), accumulators G x 224 x D fp32 (~115 KB per group at D = 128), the
// Q tile; with the K^T / V windows (2 x 640 x D fp32, 0.66 MB) that stays within a 2 MB L2.
constexpr int64_t kTargetRows = 224;
constexpr int64_t kKeyTile = 640;

struct KernelInputs {
  at::Tensor q_LHD;  // [n, Hq, D] contiguous, float or bf16
  const PackedKv* kv = nullptr;
  const KeyLayout* layout = nullptr;  // where each key lies in *kv
  double scale = 1.0;
  const std::vector<LogitGroup>* groups = nullptr;
  at::Tensor out_LHD;  // [n, Hq, D] contiguous, dtype of q
  // Gathered windows of an uncut layout (per-head sparse plans) on the bf16 VNNI path run our own AMX
  // tiles (amx_windows.h) where their shape allows; the caller decides (amx_windows_choice()).
  bool amx_windows = false;
};

// Runs every segment; rows of discarded segments are computed but not written.
void run_fused(const KernelInputs& in, const std::vector<Segment>& segments);

}  // namespace pevlm::attention::fused
