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

VerticalSlashIndices vertical_slash_indices(const at::Tensor& q_LHD, const at::Tensor& k_LHD, int64_t vertical_size,
                                            int64_t slash_size, int64_t last_q_param) {
  if (q_LHD.dim() != 3 || k_LHD.dim() != 3 || q_LHD.size(0) != k_LHD.size(0) || q_LHD.size(1) % k_LHD.size(1) != 0)
    throw std::invalid_argument("vertical_slash: expected q [L, Hq, D] and k [L, Hkv, D] with Hq % Hkv == 0");
  const int64_t L = q_LHD.size(0), hq = q_LHD.size(1), hkv = k_LHD.size(1), D = q_LHD.size(2);
  const int64_t vs = std::min(L, std::max(vertical_size, kAlwaysColumns));
  const int64_t ss = std::min(L, std::max(slash_size, int64_t(50)));
  const int64_t lq = std::min(last_q_param, L);
  // qk = q[-last_q:] k^T / sqrt(D) per query head against its KV head (repeat_kv without copying K
  // Hq/Hkv times: at 32k tokens that copy cost more than the products), causal among the last
  // last_q keys -- the only columns any of these rows must not see.
  at::Tensor q = q_LHD.narrow(0, L - lq, lq).to(at::kFloat);  // [lq, Hq, D]
  at::Tensor k = k_LHD.to(at::kFloat);                          // [L, Hkv, D]
  at::Tensor qk = at::empty({hq, lq, L}, q.options());
  for (int64_t h = 0; h < hq; ++h) {
    at::Tensor out = qk[h];
    at::addmm_out(out, out, q.select(1, h), k.select(1, h / (hq / hkv)).t(), /*beta=*/0, /*alpha=*/1.0 / std::sqrt(double(D)));
  }
  const auto idx = qk.options().dtype(at::kLong);
  at::Tensor rows = at::arange(L - lq, L, idx).unsqueeze(1), cols = at::arange(L - lq, L, idx).unsqueeze(0);
  qk.narrow(2, L - lq, lq).masked_fill_((cols > rows).unsqueeze(0), -std::numeric_limits<float>::infinity());
  at::Tensor p = at::softmax(qk, -1).cpu().contiguous();
  at::Tensor vertical = p.sum(1).contiguous();  // [Hq, L]
  VerticalSlashIndices out;
  const float inf = std::numeric_limits<float>::infinity();
  for (int64_t h = 0; h < hq; ++h) {
    std::vector<float> v(vertical[h].data_ptr<float>(), vertical[h].data_ptr<float>() + L);
    for (int64_t c = 0; c < std::min(L, kAlwaysColumns); ++c) v[size_t(c)] = inf;
    std::vector<int64_t> vt = topk_indices(v, vs);
    std::sort(vt.begin(), vt.end());  // vertical_slash_sparse_attention sorts ascending
    out.vertical.push_back(std::move(vt));
    // Diagonal sums: offset o collects p[r][L - lq + r - o] over rows with a non-negative key,
    // summed over rows in order as sum_all_diagonal_matrix's torch.sum over the strided view.
    // Row-major: row r adds p[r][key] into slash index key + lq - 1 - r, a contiguous (vectorised)
    // add per row; each index still receives its rows in order r = 0..lq-1, the same float sums.
    std::vector<float> slash(size_t(L), 0.0f);
    const float* ph = p[h].data_ptr<float>();
    for (int64_t r = 0; r < lq; ++r) {
      const float* row = ph + r * L;
      float* dst = slash.data() + (lq - 1 - r);
      const int64_t keys = L - lq + r + 1;  // keys 0..L-lq+r (the diagonal index stays < L)
      for (int64_t key = 0; key < keys; ++key) dst[key] += row[key];
    }
    for (int64_t i = std::max<int64_t>(0, L - kAlwaysDiagonals); i < L; ++i) slash[size_t(i)] = inf;
    std::vector<int64_t> st = topk_indices(slash, ss);
    for (int64_t& i : st) i = (L - 1) - i;
    std::sort(st.begin(), st.end(), std::greater<int64_t>());  // sorted descending before conversion
    out.slash.push_back(std::move(st));
  }
  return out;
}

void vertical_slash_to_plan(const std::vector<int64_t>& vertical, const std::vector<int64_t>& slash, int64_t head,
                            SparsePlan& plan) {
  // convert_vertical_slash_indexes_kernel, one thread per 64-row block; ranges collected as
  // intervals (save_blocks' 64-key blocks, clipped to L as the kernel's n_mask does), columns too.
  const int64_t L = plan.length, M = kKernelBlock;
  if (plan.query_block != M) throw std::logic_error("vertical_slash: plan query block must be 64");
  const int64_t nnz_v = int64_t(vertical.size()), nnz_s = int64_t(slash.size());
  for (int64_t bm = 0; bm < plan.num_query_blocks(); ++bm) {
    auto& list = plan.keys(head, bm);
    const int64_t end_m = bm * M + M;
    auto save = [&](int64_t b, int64_t e) { add_interval(list, std::min(b, L), std::min(e, L)); };
    int64_t s = 0, v = 0;
    int64_t v_idx = vertical[size_t(v++)];
    int64_t s_idx = slash[size_t(s++)];
    while (s_idx >= end_m) s_idx = slash[size_t(s++)];  // the always-kept offset 0 ends this loop
    s_idx = std::max(end_m - s_idx, M);
    int64_t range_start = s_idx - M, range_end = s_idx;
    while (true) {
      if (v_idx < range_end) {
        if (v_idx < range_start) add_interval(list, v_idx, v_idx + 1);
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

SparseEstimate vertical_slash_estimate(const at::Tensor& q_LHD, const at::Tensor& k_LHD, int64_t vertical_size,
                                       int64_t slash_size, int64_t last_q) {
  const int64_t L = q_LHD.size(0), hq = q_LHD.size(1), D = q_LHD.size(2);
  const VerticalSlashIndices idx = vertical_slash_indices(q_LHD, k_LHD, vertical_size, slash_size, last_q);
  SparseEstimate out{SparsePlan("vertical_slash", L, hq, kKernelBlock), 0.0};
  for (int64_t h = 0; h < hq; ++h) vertical_slash_to_plan(idx.vertical[size_t(h)], idx.slash[size_t(h)], h, out.plan);
  out.flops = 2.0 * double(hq) * double(D) * double(std::min(last_q, L)) * double(L);  // the last_q x L QK^T
  return out;
}

}  // namespace pevlm
