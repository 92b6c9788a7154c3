// MInference's vertical-slash estimator, mirroring microsoft/MInference (commit fb56c91)
// minference/modules/minference_forward.py minference_prefill_kernel.vertical_and_slash_kernel
// (lines 599-614) and the index conversion its kernel runs, csrc/vertical_slash_index.cu
// convert_vertical_slash_indexes_kernel (lines 27-99). Per query head (the reference runs per head
// on repeat_kv'd keys):
//  * vertical_size = min(L, max(vertical_size, 30)), slash_size = min(L, max(slash_size, 50));
//  * last_q = min(64, L) last queries: qk = q[-last_q:] k^T / sqrt(D), causal among the last
//    last_q keys (LAST_Q_MASK), softmax in float32;
//  * vertical = column sums; the first 30 columns are set to +inf (always kept); top vertical_size;
//  * slash = sums along each diagonal (sum_all_diagonal_matrix(qk)[..., :-last_q + 1]: index i is
//    the diagonal key = query - (L - 1 - i)); the last 100 (offsets 0..99) set to +inf (always
//    kept); top slash_size, returned as offsets (L - 1) - index;
//  * the kernel cuts queries into 64-row blocks; per block the slashes become 64-key ranges ending at
//    end_m - offset (clamped to >= 64, merged when they touch within 64), vertical columns inside a
//    range are dropped, others kept one by one; keys > query are masked by the causal kernel.
// Defaults (the reference's fallback pattern for heads without a searched one, lines 621, 474, 836):
// ("vertical_and_slash", 1000, 6096). Ties: torch.topk does not define which of equal values it
// returns; equal scores at the cut are taken lowest index first here (the always-kept +inf entries
// are all returned whenever vertical_size >= 30 and slash_size >= 100, as with the defaults).
#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "attention/parallel_for.h"
#include "methods/sparse/sparse_estimator.h"

namespace pevlm {
namespace {

constexpr int64_t kAlwaysColumns = 30;     // vertical[..., :30] = torch.inf
constexpr int64_t kAlwaysDiagonals = 100;  // slash[..., -100:] = torch.inf
constexpr int64_t kKernelBlock = 64;       // convert_vertical_slash_indexes_64x64

// Indices of the `k` largest entries, ties by lower index (a strict order, so the set is unique);
// in no particular order -- callers sort the set (nth_element: O(L), not a full sort).
std::vector<int64_t> topk_indices(const std::vector<float>& v, int64_t k) {
  std::vector<int64_t> idx(v.size());
  std::iota(idx.begin(), idx.end(), 0);
  auto before = [&](int64_t a, int64_t b) { return v[size_t(a)] > v[size_t(b)] || (v[size_t(a)] == v[size_t(b)] && a < b); };
  if (k < int64_t(idx.size())) std::nth_element(idx.begin(), idx.begin() + k, idx.end(), before);
  idx.resize(size_t(k));
  return idx;
}

}  // namespace

VerticalSlashScores vertical_slash_scores(const at::Tensor& q_LHD, const at::Tensor& k_LHD, int64_t last_q_param,
                                          EstimatorProducts products) {
  if (q_LHD.dim() != 3 || k_LHD.dim() != 3 || q_LHD.size(0) != k_LHD.size(0) || q_LHD.size(1) % k_LHD.size(1) != 0)
    throw std::invalid_argument("vertical_slash: expected q [L, Hq, D] and k [L, Hkv, D] with Hq % Hkv == 0");
  if (products == EstimatorProducts::Bf16 && q_LHD.scalar_type() != at::kBFloat16)
    throw std::invalid_argument("vertical_slash: bf16 products need bf16 inputs (fp32 inputs keep fp32 products)");
  const int64_t L = q_LHD.size(0), hq = q_LHD.size(1), hkv = k_LHD.size(1), D = q_LHD.size(2);
  const int64_t lq = std::min(last_q_param, L);
  // qk = q[-last_q:] k^T / sqrt(D) per query head against its KV head (repeat_kv without copying K
  // Hq/Hkv times: at 32k tokens that copy cost more than the products), causal among the last
  // last_q keys -- the only columns any of these rows must not see. bf16 products: bf16 operands,
  // fp32 accumulation inside the GEMM, the scaled product rounded to bf16 once -- what the reference's
  // torch.einsum returns for a bf16 model -- and the softmax in fp32 either way (its
  // softmax(..., dtype=torch.float32)).
  const at::ScalarType dt = products == EstimatorProducts::Bf16 ? at::kBFloat16 : at::kFloat;
  const at::Tensor q = q_LHD.narrow(0, L - lq, lq).to(dt);  // [lq, Hq, D]
  const auto f32 = q_LHD.options().dtype(at::kFloat);
  VerticalSlashScores out{at::zeros({hq, L}, f32.device(at::kCPU)), at::zeros({hq, L}, f32.device(at::kCPU))};
  // One head at a time through buffers of [lq, L] reused across heads (8 MB at 32k): the [Hq, lq, L]
  // products and softmax at once were two ~60 MB allocations per call, above glibc's largest mmap
  // threshold, so every call paid their page faults (~1/4 of its perf samples at 32k without huge pages).
  at::Tensor qk = at::empty({lq, L}, q.options()), p = at::empty({lq, L}, f32);
  const auto idx = q.options().dtype(at::kLong);
  const at::Tensor future = at::arange(L - lq, L, idx).unsqueeze(0) > at::arange(L - lq, L, idx).unsqueeze(1);
  at::Tensor k;
  for (int64_t h = 0; h < hq; ++h) {
    const int64_t g = h / (hq / hkv);
    if (h % (hq / hkv) == 0) k = k_LHD.select(1, g).to(dt).contiguous();  // [L, D] of this KV head
    at::addmm_out(qk, qk, q.select(1, h), k.t(), /*beta=*/0, /*alpha=*/1.0 / std::sqrt(double(D)));
    qk.narrow(1, L - lq, lq).masked_fill_(future, -std::numeric_limits<float>::infinity());
    at::softmax_out(p, qk, -1, at::kFloat);
    const at::Tensor ph_t = p.cpu().contiguous();
    at::Tensor vh = out.vertical[h];
    at::sum_out(vh, ph_t, 0);  // column sums
    // Diagonal sums: offset o collects p[r][L - lq + r - o] over rows with a non-negative key, summed
    // over rows in order as sum_all_diagonal_matrix's torch.sum over the strided view. Row-major: row
    // r adds p[r][key] into slash index key + lq - 1 - r, a contiguous (vectorised) add per row; each
    // index still receives its rows in order r = 0..lq-1, the same float sums. Slash indices are split
    // across threads (each index summed by one thread, in the same order).
    float* slash = out.slash[h].data_ptr<float>();
    const float* ph = ph_t.const_data_ptr<float>();
    at::parallel_for(0, L, 4096, [&](int64_t i0, int64_t i1) {
      for (int64_t r = 0; r < lq; ++r) {
        const int64_t shift = lq - 1 - r, keys = L - lq + r + 1;  // keys 0..L-lq+r (the index stays < L)
        const int64_t k0 = std::max<int64_t>(0, i0 - shift), k1 = std::min(keys, i1 - shift);
        const float* row = ph + r * L;
        for (int64_t key = k0; key < k1; ++key) slash[key + shift] += row[key];
      }
    });
  }
  return out;
}

VerticalSlashIndices vertical_slash_indices(const at::Tensor& q_LHD, const at::Tensor& k_LHD, int64_t vertical_size,
                                            int64_t slash_size, int64_t last_q_param, EstimatorProducts products) {
  const VerticalSlashScores scores = vertical_slash_scores(q_LHD, k_LHD, last_q_param, products);
  const int64_t L = q_LHD.size(0), hq = q_LHD.size(1);
  const int64_t vs = std::min(L, std::max(vertical_size, kAlwaysColumns));
  const int64_t ss = std::min(L, std::max(slash_size, int64_t(50)));
  VerticalSlashIndices out;
  out.vertical.resize(size_t(hq));
  out.slash.resize(size_t(hq));
  const float inf = std::numeric_limits<float>::infinity();
  at::parallel_for(0, hq, 1, [&](int64_t h0, int64_t h1) {
    for (int64_t h = h0; h < h1; ++h) {
      const float* vh = scores.vertical[h].const_data_ptr<float>();
      std::vector<float> v(vh, vh + L);
      for (int64_t c = 0; c < std::min(L, kAlwaysColumns); ++c) v[size_t(c)] = inf;
      std::vector<int64_t> vt = topk_indices(v, vs);
      std::sort(vt.begin(), vt.end());  // vertical_slash_sparse_attention sorts ascending
      out.vertical[size_t(h)] = std::move(vt);
      const float* sh = scores.slash[h].const_data_ptr<float>();
      std::vector<float> slash(sh, sh + L);
      for (int64_t i = std::max<int64_t>(0, L - kAlwaysDiagonals); i < L; ++i) slash[size_t(i)] = inf;
      std::vector<int64_t> st = topk_indices(slash, ss);
      for (int64_t& i : st) i = (L - 1) - i;
      std::sort(st.begin(), st.end(), std::greater<int64_t>());  // sorted descending before conversion
      out.slash[size_t(h)] = std::move(st);
    }
  });
  return out;
}

namespace {

// convert_vertical_slash_indexes_kernel, one thread per 64-row block (here query blocks [b0, b1) of
// one head); ranges collected as intervals (save_blocks' 64-key blocks, clipped to L as the kernel's
// n_mask does), columns too.
void to_plan_blocks(const std::vector<int64_t>& vertical, const std::vector<int64_t>& slash, int64_t head, int64_t b0,
                    int64_t b1, SparsePlan& plan) {
  const int64_t L = plan.length, M = kKernelBlock;
  const int64_t nnz_v = int64_t(vertical.size()), nnz_s = int64_t(slash.size());
  for (int64_t bm = b0; bm < b1; ++bm) {
    auto& list = plan.keys(head, bm);
    const int64_t end_m = bm * M + M;
    // Intervals arrive in ascending order (columns before the range they precede, ranges one after
    // another), so each one extends the list's last interval or follows it.
    auto append = [&](int64_t b, int64_t e) {
      if (b >= e) return;
      if (list.empty() || list.back().end < b) list.push_back(KeyInterval{b, e});
      else if (list.back().begin <= b) list.back().end = std::max(list.back().end, e);
      else add_interval(list, b, e);  // not reached (ascending order); kept exact regardless
    };
    auto save = [&](int64_t b, int64_t e) { append(std::min(b, L), std::min(e, L)); };
    int64_t v = 0;
    int64_t v_idx = vertical[size_t(v++)];
    // Skip the offsets >= end_m (slash is descending; the always-kept offset 0 ends the skip).
    int64_t s = std::partition_point(slash.begin(), slash.end(), [&](int64_t o) { return o >= end_m; }) - slash.begin();
    int64_t s_idx = slash[size_t(s++)];
    s_idx = std::max(end_m - s_idx, M);
    int64_t range_start = s_idx - M, range_end = s_idx;
    while (true) {
      if (v_idx < range_end) {
        if (v_idx < range_start) append(v_idx, v_idx + 1);
        v_idx = v < nnz_v ? vertical[size_t(v++)] : end_m + M;
      } else {
        if (s < nnz_s) {
          s_idx = std::max(end_m - slash[size_t(s++)], M);
        } else {
          save(range_start, range_end);
          break;
        }
        if (s_idx > range_end + M) {
          save(range_start, range_end);
          range_start = s_idx - M;
          range_end = s_idx;
        } else if (s_idx > range_end) {
          range_end += M;
        }
      }
    }
  }
}

void check_block(const SparsePlan& plan) {
  if (plan.query_block != kKernelBlock) throw std::logic_error("vertical_slash: plan query block must be 64");
}

}  // namespace

void vertical_slash_to_plan(const std::vector<int64_t>& vertical, const std::vector<int64_t>& slash, int64_t head,
                            SparsePlan& plan) {
  check_block(plan);
  to_plan_blocks(vertical, slash, head, 0, plan.num_query_blocks(), plan);
}

SparseEstimate vertical_slash_estimate(const at::Tensor& q_LHD, const at::Tensor& k_LHD, int64_t vertical_size,
                                       int64_t slash_size, int64_t last_q, EstimatorProducts products) {
  const int64_t L = q_LHD.size(0), hq = q_LHD.size(1), D = q_LHD.size(2);
  const VerticalSlashIndices idx = vertical_slash_indices(q_LHD, k_LHD, vertical_size, slash_size, last_q, products);
  SparseEstimate out{SparsePlan("vertical_slash", L, hq, kKernelBlock), 0.0, products};
  // (head, query block) pairs in parallel: each writes only its own interval list.
  const int64_t nb = out.plan.num_query_blocks();
  at::parallel_for(0, hq * nb, 64, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1;) {
      const int64_t h = i / nb, b = i % nb, b1 = std::min(nb, b + (i1 - i));
      to_plan_blocks(idx.vertical[size_t(h)], idx.slash[size_t(h)], h, b, b1, out.plan);
      i += b1 - b;
    }
  });
  out.flops = 2.0 * double(hq) * double(D) * double(std::min(last_q, L)) * double(L);  // the last_q x L QK^T
  return out;
}

}  // namespace pevlm
