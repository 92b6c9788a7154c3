// Sink + block attention forward (see sink_block_attention.h). A straightforward CUDA-core
// FlashAttention-2-style kernel (online softmax in fp32, Dao 2023), written for correctness and
// clarity first; tensor-core (mma/wgmma) tiles are the next step for speed.
//
// Work split: one CTA = 16 query rows of one context block and one query head (4 warps x 4 rows).
// Key tiles of 32 (one key per lane) are staged in shared memory as fp32 and shared by the 16
// rows: first the sink tiles (read in place from k/v), then the block's own tiles up to the CTA's
// last row (causal). Each lane computes the full dot product of its key (conflict-free: K rows
// padded to D + 1), the warp reduces max/sum with shuffles, and each lane accumulates D / 32
// output columns. Logits are kept in log2 units (scale * log2 e folded into Q) so exp2f is used.
#include "attention/cuda/sink_block_attention.h"

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace pevlm::attention::cuda {
namespace {

constexpr int kWarps = 4;
constexpr int kRowsPerWarp = 4;
constexpr int kRowsPerCta = kWarps * kRowsPerWarp;
constexpr int kKeyTile = 32;
constexpr unsigned kFull = 0xffffffffu;

__device__ __forceinline__ float warp_max(float x) {
  for (int o = 16; o > 0; o >>= 1) x = fmaxf(x, __shfl_xor_sync(kFull, x, o));
  return x;
}
__device__ __forceinline__ float warp_sum(float x) {
  for (int o = 16; o > 0; o >>= 1) x += __shfl_xor_sync(kFull, x, o);
  return x;
}

template <int D>
struct Smem {
  float q[kRowsPerCta][D];
  float k[kKeyTile][D + 1];  // +1: lane j reads row j, column d -> banks (j + d) % 32, no conflicts
  float v[kKeyTile][D];
};

// Stages keys [t, t + 32) of one KV head into shared memory (zeros past `end`).
template <int D>
__device__ void load_tile(const SinkBlockParams& p, Smem<D>& s, int64_t t, int64_t end, int64_t kv_head) {
  const auto* k = static_cast<const __nv_bfloat16*>(p.k);
  const auto* v = static_cast<const __nv_bfloat16*>(p.v);
  for (int e = threadIdx.x; e < kKeyTile * D; e += blockDim.x) {
    const int j = e / D, d = e % D;
    const int64_t key = t + j;
    const bool ok = key < end;
    s.k[j][d] = ok ? __bfloat162float(k[key * p.k_token_stride + kv_head * p.k_head_stride + d]) : 0.f;
    s.v[j][d] = ok ? __bfloat162float(v[key * p.v_token_stride + kv_head * p.v_head_stride + d]) : 0.f;
  }
}

// Online-softmax state of one query row, held by one warp (columns lane + 32 c).
template <int D>
struct RowState {
  float m = -INFINITY;  // running max (log2 units)
  float l = 0.f;        // running sum of exp2(s - m)
  float acc[D / 32] = {};
};

// One key tile for one row: `limit` = last key index the row may see (inclusive), or -1 = all.
template <int D>
__device__ void update_row(RowState<D>& st, const Smem<D>& s, int row_in_cta, int64_t t, int64_t end, int64_t limit) {
  const int lane = threadIdx.x % 32;
  const int64_t key = t + lane;
  const bool ok = key < end && (limit < 0 || key <= limit);
  float x = -INFINITY;
  if (ok) {
    float dot = 0.f;
#pragma unroll 16
    for (int d = 0; d < D; ++d) dot = fmaf(s.q[row_in_cta][d], s.k[lane][d], dot);
    x = dot;
  }
  const float m_new = fmaxf(st.m, warp_max(x));
  if (m_new == -INFINITY) return;  // every key of the tile masked for this row (warp-uniform)
  const float alpha = exp2f(st.m - m_new);  // 0 on the first visible tile (m = -inf)
  const float prob = ok ? exp2f(x - m_new) : 0.f;
  st.l = st.l * alpha + warp_sum(prob);
#pragma unroll
  for (int c = 0; c < D / 32; ++c) st.acc[c] *= alpha;
  for (int j = 0; j < kKeyTile; ++j) {
    const float pj = __shfl_sync(kFull, prob, j);
#pragma unroll
    for (int c = 0; c < D / 32; ++c) st.acc[c] = fmaf(pj, s.v[j][lane + 32 * c], st.acc[c]);
  }
  st.m = m_new;
}

template <int D>
__global__ void __launch_bounds__(kWarps * 32) sink_block_kernel(SinkBlockParams p) {
  __shared__ Smem<D> s;
  const int64_t head = blockIdx.z, kv_head = head / (p.num_q_heads / p.num_kv_heads);
  const int64_t block_begin = p.ctx_begin + int64_t(blockIdx.y) * p.block_size;
  const int64_t block_len = min(p.block_size, p.ctx_begin + p.ctx_len - block_begin);
  const int64_t row0 = int64_t(blockIdx.x) * kRowsPerCta;  // first row of this CTA, block-local
  if (row0 >= block_len) return;
  const int64_t rows = min(int64_t(kRowsPerCta), block_len - row0);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;

  // Q rows, pre-multiplied by scale * log2(e).
  const auto* q = static_cast<const __nv_bfloat16*>(p.q);
  const float qscale = p.scale * 1.4426950408889634f;
  for (int e = threadIdx.x; e < kRowsPerCta * D; e += blockDim.x) {
    const int r = e / D, d = e % D;
    const int64_t tok = block_begin + row0 + r;
    s.q[r][d] = r < rows ? __bfloat162float(q[tok * p.q_token_stride + head * p.q_head_stride + d]) * qscale : 0.f;
  }
  RowState<D> st[kRowsPerWarp];

  // Sink keys: every row sees all of them.
  const int64_t sink_end = p.sink_begin + p.sink_len;
  for (int64_t t = p.sink_begin; t < sink_end; t += kKeyTile) {
    __syncthreads();
    load_tile<D>(p, s, t, sink_end, kv_head);
    __syncthreads();
#pragma unroll
    for (int i = 0; i < kRowsPerWarp; ++i) {
      const int r = warp * kRowsPerWarp + i;
      if (r < rows) update_row<D>(st[i], s, r, t, sink_end, -1);
    }
  }
  // The block's own keys, causally: up to the CTA's last row.
  const int64_t own_end = block_begin + row0 + rows;
  for (int64_t t = block_begin; t < own_end; t += kKeyTile) {
    __syncthreads();
    load_tile<D>(p, s, t, own_end, kv_head);
    __syncthreads();
#pragma unroll
    for (int i = 0; i < kRowsPerWarp; ++i) {
      const int r = warp * kRowsPerWarp + i;
      if (r < rows) update_row<D>(st[i], s, r, t, own_end, block_begin + row0 + r);
    }
  }

  auto* out = static_cast<__nv_bfloat16*>(p.out);
#pragma unroll
  for (int i = 0; i < kRowsPerWarp; ++i) {
    const int r = warp * kRowsPerWarp + i;
    if (r >= rows) continue;
    const int64_t tok = block_begin + row0 + r;
    const float inv_l = 1.f / st[i].l;  // l >= 1: every row sees at least itself
#pragma unroll
    for (int c = 0; c < D / 32; ++c)
      out[tok * p.out_token_stride + head * p.out_head_stride + lane + 32 * c] = __float2bfloat16(st[i].acc[c] * inv_l);
    if (lane == 0) p.lse[head * p.ctx_len + (tok - p.ctx_begin)] = (st[i].m + log2f(st[i].l)) * 0.6931471805599453f;
  }
}

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("launch_sink_block_attention: " + what);
}

}  // namespace

void launch_sink_block_attention(const SinkBlockParams& p, void* stream) {
  require(p.q && p.k && p.v && p.out && p.lse, "q, k, v, out and lse pointers must all be set");
  require(p.head_dim == 64 || p.head_dim == 128, "head_dim must be 64 or 128, got " + std::to_string(p.head_dim));
  require(p.num_kv_heads > 0 && p.num_q_heads % p.num_kv_heads == 0,
          "num_q_heads (" + std::to_string(p.num_q_heads) + ") must be a multiple of num_kv_heads (" +
              std::to_string(p.num_kv_heads) + ")");
  require(p.num_q_heads <= 65535, "num_q_heads must be <= 65535");
  require(p.block_size > 0 && p.ctx_len > 0, "block_size and ctx_len must be > 0");
  require(p.sink_len >= 0 && p.sink_begin >= 0 && p.ctx_begin >= 0, "sink/ctx ranges must be non-negative");
  require(p.sink_len == 0 || p.sink_begin + p.sink_len <= p.ctx_begin, "sink keys must lie before the context rows");
  require(p.scale > 0.f, "scale must be > 0");
  const int64_t blocks = (p.ctx_len + p.block_size - 1) / p.block_size;
  require(blocks <= 65535, "too many context blocks (" + std::to_string(blocks) + " > 65535)");
  const dim3 grid(unsigned((p.block_size + kRowsPerCta - 1) / kRowsPerCta), unsigned(blocks), unsigned(p.num_q_heads));
  const dim3 block(kWarps * 32);
  auto st = static_cast<cudaStream_t>(stream);
  if (p.head_dim == 64) {
    sink_block_kernel<64><<<grid, block, 0, st>>>(p);
  } else {
    sink_block_kernel<128><<<grid, block, 0, st>>>(p);
  }
  const cudaError_t err = cudaGetLastError();
  if (err != cudaSuccess)
    throw std::runtime_error(std::string("launch_sink_block_attention: launch failed: ") + cudaGetErrorString(err));
}

}  // namespace pevlm::attention::cuda
