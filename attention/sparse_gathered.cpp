// Per-head block-sparse prefill (issue 25) by gathered keys, in ATen so one path serves the CPU
// and CUDA ("gathered blocks"; the `cuda` executors run exactly this): for each query block, the
// heads' key intervals are gathered into [heads, n, D] (n = the largest kept count; shorter lists
// padded and masked; the schedule is build_block_gather, sparse_gather_index.h), then
// softmax(q k^T * scale) v by bmm, keys after the query masked (SparsePlan's causal rule). Heads
// are batched in groups bounding the score tile, so memory is O(heads x block x kept keys), never
// L x L. Computed in float32, returned in the input dtype. The dense per-head reference
// (sparse_prefill_reference) checks it.
#include <ATen/ATen.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "attention/executors.h"
#include "attention/sparse_gather_index.h"

namespace pevlm::attention {
namespace {

constexpr int64_t kScoreBudget = int64_t(8) << 20;  // floats per score tile [heads, rows, keys]

}  // namespace

at::Tensor sparse_prefill_gathered(const SparsePlan& plan, const AttentionInputs& in) {
  check_inputs(in, plan.length, plan.length);
  const int64_t L = plan.length, hq = in.q_LHD.size(1), hkv = in.k_LHD.size(1), D = in.q_LHD.size(2);
  if (plan.num_heads != hq)
    throw std::invalid_argument("sparse prefill: plan has " + std::to_string(plan.num_heads) + " heads, q has " +
                                std::to_string(hq));
  const double scale = resolved_scale(in);
  const auto f32 = in.q_LHD.options().dtype(at::kFloat);
  at::Tensor q = in.q_LHD.to(at::kFloat).permute({1, 0, 2}).contiguous();                   // [Hq, L, D]
  at::Tensor k_flat = in.k_LHD.to(at::kFloat).permute({1, 0, 2}).reshape({hkv * L, D});     // [Hkv*L, D]
  at::Tensor v_flat = in.v_LHD.to(at::kFloat).permute({1, 0, 2}).reshape({hkv * L, D});
  at::Tensor out = at::empty({hq, L, D}, f32);
  const float neg_inf = -std::numeric_limits<float>::infinity();
  const auto cpu_long = at::TensorOptions().dtype(at::kLong);
  for (int64_t b = 0; b < plan.num_query_blocks(); ++b) {
    // The block's gather schedule (sparse_gather_index.h), moved to the device in one copy.
    SparseBlockGather g = build_block_gather(plan, b, hkv, kScoreBudget);
    const int64_t entries = int64_t(g.rows_index.size()), qb = g.row_begin, rows = g.rows;
    g.rows_index.insert(g.rows_index.end(), g.keypos.begin(), g.keypos.end());
    at::Tensor index = at::from_blob(g.rows_index.data(), {2 * entries}, cpu_long).to(in.q_LHD.device());
    at::Tensor qpos = at::arange(qb, qb + rows, index.options()).view({1, rows, 1});
    for (const GatherTile& t : g.tiles) {
      const int64_t hg = t.head_end - t.head_begin, n = t.width;
      at::Tensor gi = index.narrow(0, t.offset, hg * n);
      at::Tensor kp = index.narrow(0, entries + t.offset, hg * n).view({hg, 1, n});
      at::Tensor ks = k_flat.index_select(0, gi).view({hg, n, D});
      at::Tensor vs = v_flat.index_select(0, gi).view({hg, n, D});
      at::Tensor s = at::bmm(q.narrow(0, t.head_begin, hg).narrow(1, qb, rows), ks.transpose(1, 2)) * scale;  // [hg, rows, n]
      s.masked_fill_(kp > qpos, neg_inf);  // keys after the query and pads (position L)
      out.narrow(0, t.head_begin, hg).narrow(1, qb, rows).copy_(at::bmm(at::softmax(s, -1), vs));
    }
  }
  return out.permute({1, 0, 2}).to(in.q_LHD.scalar_type()).contiguous();
}

at::Tensor sparse_prefill_reference(const SparsePlan& plan, const AttentionInputs& in) {
  check_inputs(in, plan.length, plan.length);
  const int64_t L = plan.length, hq = in.q_LHD.size(1), hkv = in.k_LHD.size(1);
  if (L > 8192) throw std::invalid_argument("sparse reference: " + std::to_string(L) + " tokens is too many (max 8192)");
  if (plan.num_heads != hq) throw std::invalid_argument("sparse reference: plan heads != q heads");
  const double scale = resolved_scale(in);
  at::Tensor q = in.q_LHD.to(at::kDouble).permute({1, 0, 2});
  at::Tensor k = in.k_LHD.to(at::kDouble).permute({1, 0, 2});
  at::Tensor v = in.v_LHD.to(at::kDouble).permute({1, 0, 2});
  at::Tensor out = at::empty({hq, L, q.size(2)}, q.options());
  for (int64_t h = 0; h < hq; ++h) {
    std::vector<uint8_t> m = plan.dense_mask(h);
    at::Tensor mask = at::from_blob(m.data(), {L, L}, at::kByte).to(at::kBool);
    at::Tensor s = at::matmul(q[h], k[h / (hq / hkv)].t()) * scale;
    s.masked_fill_(mask.logical_not(), -std::numeric_limits<double>::infinity());
    out[h].copy_(at::matmul(at::softmax(s, -1), v[h / (hq / hkv)]));
  }
  return out.permute({1, 0, 2}).to(in.q_LHD.scalar_type()).contiguous();
}

}  // namespace pevlm::attention
