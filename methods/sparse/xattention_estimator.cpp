// XAttention's estimator, mirroring mit-han-lab/x-attention (commit e379887):
//   xattn/src/Xattention.py xattn_estimate (select_mode "inverse", kdb 1, norm 1, causal) and
//   xattn/src/utils.py find_blocks_chunked (mode "prefill", causal).
// Per query head (the reference runs on repeat_kv'd heads):
//  * zero-pad to whole reduced rows; K' row j = K[jS], K[jS+1], ..., K[jS+S-1] concatenated and
//    Q' row i = Q[iS+S-1], ..., Q[iS] (reverse offset: the antidiagonal of each S x S cell);
//  * A = softmax(Q'K'^T / sqrt(D) / S) in float32, causal at the reduced resolution (key row <=
//    query row; rows past ceil(L/S) are padding and zeroed);
//  * attn_sums = A summed over (B/S) x (B/S) tiles, B = block_tokens;
//  * per query block r, find_blocks_chunked: the first block and the diagonal block are kept; the
//    other blocks in descending score order are kept while (mass of the kept set) < threshold x
//    (row total), i.e. the smallest prefix whose mass reaches the threshold; future blocks dropped.
//    Exactly as the code does it (xattention_select_row): in the first query chunk block 0 is not
//    forced (an eye() overwrites it) and the threshold test then runs one block late; block 0 is still
//    kept there whenever any entry is dropped (dropped entries scatter into block 0).
// Chunking: the reference cuts queries into chunks of chunk_size tokens (Xattention_prefill picks it
// from the length: xattention_auto_chunk). The softmax is per row over every key, so the block sums
// do not depend on it; the forced first block does (above). One more effect we do NOT copy: its torch
// path (use_triton=False) masks `causal_mask[..., -k_reshaped_num_to_pad:]`, which for a padding of
// fewer than S tokens is `[..., -0:]` and hides every earlier chunk from later ones. Its Triton path
// (softmax_fuse_block_sum_kernel_causal, what runs on A100/H100) has no such mask; we follow it.
// Ties: torch.sort is not stable; equal block scores at the threshold boundary are taken in
// ascending block order here (goldens avoid exact ties).
#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "methods/sparse/sparse_estimator.h"

namespace pevlm {
namespace {

void check_qk(const at::Tensor& q, const at::Tensor& k, const char* who) {
  if (q.dim() != 3 || k.dim() != 3 || q.size(0) != k.size(0) || q.size(2) != k.size(2) || q.size(1) % k.size(1) != 0)
    throw std::invalid_argument(std::string(who) + ": expected q [L, Hq, D] and k [L, Hkv, D] with Hq % Hkv == 0");
}

// The reduced rows in the products' dtype. The reference pairs Q[iS + S - 1 - t] with K[jS + t] (the
// antidiagonal of each S x S cell); the same products pair Q[iS + t] with K[jS + S - 1 - t], so the
// offset axis is flipped on K -- Hq/Hkv times less to copy than Q -- and Q' row i is simply tokens
// [iS, iS + S) of Q concatenated. Both are written into buffers the caller reuses: a fresh [Hq, Lr, S*D]
// fp32 copy of Q per call (118 MB at 32k, 7 heads) cost more than the block sums' GEMMs inside
// `pevlm speed` (its page faults took 230-470 ms a call there, 20-45 ms in a fresh process).

// K' [Lr, S*D] of KV head g into `out`: row j = K[jS + S - 1], ..., K[jS] (zero past L).
void strided_keys(const at::Tensor& k_LHD, int64_t g, int64_t stride, at::Tensor& out) {
  const int64_t L = k_LHD.size(0), D = k_LHD.size(2), lr = out.size(0);
  const at::Tensor k = k_LHD.select(1, g);  // [L, D]
  const at::Tensor rows = out.view({lr, stride, D});
  for (int64_t t = 0; t < stride; ++t) {  // tokens t, t + S, ... -> offset S - 1 - t of each row
    const int64_t n = t < L ? (L - t + stride - 1) / stride : 0;
    at::Tensor dst = rows.select(1, stride - 1 - t);
    if (n > 0) dst.narrow(0, 0, n).copy_(k.slice(0, t, L, stride));
    if (n < lr) dst.narrow(0, n, lr - n).zero_();
  }
}

// Q' rows [r0, r1) of query head h into `out` ([r1 - r0, S*D]): row i = tokens [(r0 + i)S, (r0 + i + 1)S)
// of Q concatenated (zero past L).
void strided_queries(const at::Tensor& q_LHD, int64_t h, int64_t stride, int64_t r0, int64_t r1, at::Tensor& out) {
  const int64_t L = q_LHD.size(0), D = q_LHD.size(2);
  const at::Tensor tokens = out.view({(r1 - r0) * stride, D});
  const int64_t begin = r0 * stride, n = std::max<int64_t>(0, std::min(L, r1 * stride) - begin);
  if (n > 0) tokens.narrow(0, 0, n).copy_(q_LHD.select(1, h).narrow(0, begin, n));
  if (n < tokens.size(0)) tokens.narrow(0, n, tokens.size(0) - n).zero_();
}

}  // namespace

at::Tensor xattention_block_sums(const at::Tensor& q_LHD, const at::Tensor& k_LHD, int64_t block_tokens, int64_t stride,
                                 EstimatorProducts products) {
  check_qk(q_LHD, k_LHD, "xattention");
  if (stride <= 0 || block_tokens <= 0 || block_tokens % stride != 0)
    throw std::invalid_argument("xattention: block_tokens must be a positive multiple of stride");
  const int64_t L = q_LHD.size(0), hq = q_LHD.size(1), D = q_LHD.size(2), hpg = hq / k_LHD.size(1);
  const int64_t nb = (L + block_tokens - 1) / block_tokens, rb = block_tokens / stride;
  const int64_t padded = nb * block_tokens;
  const int64_t real_rows = (L + stride - 1) / stride;  // Xattention.py: rows past this are padding
  if (products == EstimatorProducts::Bf16 && q_LHD.scalar_type() != at::kBFloat16)
    throw std::invalid_argument("xattention: bf16 products need bf16 inputs (fp32 inputs keep fp32 products)");
  const at::ScalarType dt = products == EstimatorProducts::Bf16 ? at::kBFloat16 : at::kFloat;
  const double scale = 1.0 / std::sqrt(double(D)) / double(stride);  // "/ math.sqrt(head_dim) / stride / norm"
  const auto f32 = q_LHD.options().dtype(at::kFloat);
  at::Tensor sums = at::zeros({hq, nb, nb}, f32);
  // Query blocks in chunks of whole blocks (~256 reduced rows); each chunk only needs keys up to its
  // last row (causal), so about half the reduced square is computed, not all of it. Per KV head its
  // K' once, then per chunk and query head a 2-D GEMM through buffers reused for every chunk and head
  // (Q' chunk and products 2 MB each at 32k, S = 16): the chunk's [Hq, rows, keys] products and
  // softmax at once were ~60 MB each at 28 heads, a fresh mmap (and its page faults) per chunk.
  const int64_t blocks_per_chunk = std::max<int64_t>(1, 256 / rb);
  const int64_t lr = padded / stride, max_rows = std::min(nb, blocks_per_chunk) * rb, max_cols = nb * rb;
  at::Tensor k_buf = at::empty({lr, stride * D}, f32.dtype(dt)), q_buf = at::empty({max_rows * stride * D}, f32.dtype(dt));
  at::Tensor s_buf = at::empty({max_rows * max_cols}, f32.dtype(dt)), a_buf = at::empty({max_rows * max_cols}, f32);
  const auto idx = q_LHD.options().dtype(at::kLong);
  for (int64_t g = 0; g < k_LHD.size(1); ++g) {
    strided_keys(k_LHD, g, stride, k_buf);
    for (int64_t b0 = 0; b0 < nb; b0 += blocks_per_chunk) {
      const int64_t b1 = std::min(nb, b0 + blocks_per_chunk);
      const int64_t r0 = b0 * rb, r1 = b1 * rb, kcols = r1;  // keys [0, r1) suffice
      // Causal at reduced resolution: key row j visible to query row i iff j <= i. Only the chunk's
      // own square [r0, r1) holds masked entries (keys before r0 are visible to every row).
      const at::Tensor future = at::arange(r0, kcols, idx).unsqueeze(0) > at::arange(r0, r1, idx).unsqueeze(1);
      at::Tensor q_h = q_buf.narrow(0, 0, (r1 - r0) * stride * D).view({r1 - r0, stride * D});
      at::Tensor s_h = s_buf.narrow(0, 0, (r1 - r0) * kcols).view({r1 - r0, kcols});
      at::Tensor a_h = a_buf.narrow(0, 0, (r1 - r0) * kcols).view({r1 - r0, kcols});
      for (int64_t h = g * hpg; h < (g + 1) * hpg; ++h) {
        strided_queries(q_LHD, h, stride, r0, r1, q_h);
        // S = scale * Q' K'^T, a 2-D GEMM per head (the batched matmul of narrowed views took a
        // copying path: bf16 34 ms vs 4 ms for a 256 x 1024 chunk of 7 heads, libtorch 2.11 on AMX).
        // bf16 products are rounded to bf16 once, after the scale (fp32 accumulation inside the GEMM).
        at::addmm_out(s_h, s_h, q_h, k_buf.narrow(0, 0, kcols).t(), /*beta=*/0, /*alpha=*/scale);
        s_h.narrow(1, r0, kcols - r0).masked_fill_(future, -std::numeric_limits<float>::infinity());
        at::softmax_out(a_h, s_h, -1, at::kFloat);  // fp32 softmax either way (F.softmax(..., dtype=torch.float32))
        if (r1 > real_rows) a_h.narrow(0, std::max(r0, real_rows) - r0, r1 - std::max(r0, real_rows)).zero_();
        // Sum tiles: [blocks, rb, kblocks, rb] -> [blocks, kblocks].
        sums[h].narrow(0, b0, b1 - b0).narrow(1, 0, kcols / rb).copy_(a_h.view({b1 - b0, rb, kcols / rb, rb}).sum(-1).sum(-2));
      }
    }
  }
  return sums;
}

std::vector<uint8_t> xattention_select_row(const double* x, int64_t nb, int64_t row, double threshold, bool first_forced) {
  // utils.py find_blocks_chunked (causal, prefill), lines 89-146 and 176-180, per row:
  //   mask = forced blocks; sorted_values = [0, sum(x[mask]), others_desc[:-2]];
  //   index = argsort_desc(where(mask, 100000 * (1 + x), x));
  //   keep index[k] while cumsum([0, sorted_values[:-1]])[k] < threshold * sum(x).
  // The forced blocks: lines 100-106 set column 0, then write eye() over columns
  // [current_index, current_index + chunk_num), which for the first chunk (current_index 0)
  // overwrites column 0: there only the diagonal block is forced; in later chunks block 0 and the
  // diagonal are (`first_forced`). The forced entries lead `index`; sorted_values' second slot holds
  // their sum whatever their number, so with one forced entry the threshold test runs one entry late
  // (one block more than the smallest set can be kept) -- reproduced, not corrected.
  std::vector<uint8_t> keep(size_t(nb), 0);
  double total = 0;
  for (int64_t c = 0; c < nb; ++c) total += x[c];
  const double required = total * threshold;
  const bool two = first_forced && row != 0;
  auto forced = [&](int64_t c) { return c == row || (two && c == 0); };
  const double mask_sum = x[row] + (two ? x[0] : 0.0);
  std::vector<int64_t> others;
  for (int64_t c = 0; c < nb; ++c)
    if (!forced(c)) others.push_back(c);
  std::stable_sort(others.begin(), others.end(), [&](int64_t a, int64_t b) { return x[a] > x[b]; });
  // sorted_values: [0, forced sum, the others' values (forced entries zeroed, so they sort last)...][:nb].
  std::vector<double> sorted_vals(size_t(nb), 0.0);
  {
    std::vector<double> v(size_t(nb), 0.0);
    for (int64_t c = 0; c < nb; ++c) v[size_t(c)] = forced(c) ? 0.0 : x[c];
    std::sort(v.begin(), v.end(), std::greater<double>());
    if (nb > 1) sorted_vals[1] = mask_sum;
    for (int64_t k = 2; k < nb; ++k) sorted_vals[size_t(k)] = v[size_t(k - 2)];
  }
  // index order: forced entries (by value, descending), then the others descending.
  std::vector<int64_t> index;
  if (two) index = x[0] > x[row] ? std::vector<int64_t>{0, row} : std::vector<int64_t>{row, 0};
  else index = {row};
  for (int64_t c : others) index.push_back(c);
  double cum = 0;
  for (int64_t k = 0; k < nb; ++k) {
    if (k > 0) cum += sorted_vals[size_t(k - 1)];
    // torch.where(index_mask, index, 0): a dropped entry points at block 0 (a no-op scatter of True
    // when block 0 is forced; in the first chunk it sets block 0 -- lines 142-145).
    keep[size_t(cum < required ? index[size_t(k)] : 0)] = 1;
  }
  keep[size_t(row)] = 1;
  if (two) keep[0] = 1;
  for (int64_t c = row + 1; c < nb; ++c) keep[size_t(c)] = 0;  // lines 176-180 + xattn_estimate's tril
  return keep;
}

double xattention_estimator_flops(int64_t L, int64_t hq, int64_t D, int64_t block_tokens, int64_t stride) {
  // What xattention_block_sums computes: per chunk of query blocks, rows x (keys up to the chunk's
  // end) products of S*D-long rows, 2 FLOPs per multiply-add (the softmax and sums are not counted).
  const int64_t rb = block_tokens / stride, nb = (L + block_tokens - 1) / block_tokens;
  const int64_t blocks_per_chunk = std::max<int64_t>(1, 256 / rb);
  double pairs = 0;
  for (int64_t b0 = 0; b0 < nb; b0 += blocks_per_chunk) {
    const int64_t b1 = std::min(nb, b0 + blocks_per_chunk);
    pairs += double((b1 - b0) * rb) * double(b1 * rb);
  }
  return 2.0 * double(hq) * double(stride * D) * pairs;
}

int64_t xattention_auto_chunk(int64_t length) {
  // Xattention.py Xattention_prefill: chunk_size = max(min(max(2048, P), 128 * 1024 * 2048 // P), 2048)
  // with P = 1 << (k_len - 1).bit_length() (the next power of two >= k_len).
  int64_t p = 1;
  while (p < length) p <<= 1;
  return std::max<int64_t>(std::min<int64_t>(std::max<int64_t>(2048, p), int64_t(128) * 1024 * 2048 / p), 2048);
}

SparseEstimate xattention_estimate(const at::Tensor& q_LHD, const at::Tensor& k_LHD, int64_t block_tokens,
                                   int64_t stride, double threshold, int64_t chunk_tokens, EstimatorProducts products) {
  const int64_t L = q_LHD.size(0), hq = q_LHD.size(1), D = q_LHD.size(2);
  at::Tensor sums = xattention_block_sums(q_LHD, k_LHD, block_tokens, stride, products).to(at::kDouble).cpu().contiguous();
  const int64_t nb = sums.size(1);
  SparseEstimate out{SparsePlan("xattention", L, hq, block_tokens), 0.0, products};
  const double* s = sums.data_ptr<double>();
  const int64_t chunk = chunk_tokens > 0 ? chunk_tokens : xattention_auto_chunk(L);
  if (chunk % block_tokens != 0)
    throw std::invalid_argument("xattention: chunk_tokens (" + std::to_string(chunk) + ") must be a multiple of block_tokens");
  const int64_t blocks_per_chunk = chunk / block_tokens;
  for (int64_t h = 0; h < hq; ++h)
    for (int64_t r = 0; r < nb; ++r) {
      // current_index = chunk_idx * num_blocks_per_chunk (q_len == k_len): block 0 is forced only
      // outside the first chunk (see xattention_select_row).
      const bool first_forced = r / blocks_per_chunk > 0;
      const std::vector<uint8_t> keep = xattention_select_row(s + (h * nb + r) * nb, nb, r, threshold, first_forced);
      auto& list = out.plan.keys(h, r);
      for (int64_t c = 0; c <= r; ++c)
        if (keep[size_t(c)]) add_interval(list, c * block_tokens, std::min(L, (c + 1) * block_tokens));
    }
  out.flops = xattention_estimator_flops(L, hq, D, block_tokens, stride);
  return out;
}

}  // namespace pevlm
