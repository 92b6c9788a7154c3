#include "attention/fused/decode_direct.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>

#include "attention/fused/decode_chunk.h"
#include "attention/fused/group_combine.h"
#include "attention/fused/tile_rows.h"
#include "attention/parallel_for.h"

namespace pevlm::attention::fused {
namespace {

struct ChunkItem {
  int64_t kv_head = 0, range = 0, kb = 0, ke = 0;
};

}  // namespace

void decode_direct(const at::Tensor& q_LHD, const at::Tensor& k_in, const at::Tensor& v_in, const Segment& seg, double scale,
                   const std::vector<LogitGroup>& groups, const at::Tensor& out_LHD) {
  TORCH_CHECK(groups.size() <= 8, "fused decode: at most 8 logit groups");
  // Unit stride in D is all the chunk needs; anything else (never produced by the runtime) is copied.
  const at::Tensor k_LHD = k_in.stride(2) == 1 ? k_in : k_in.contiguous();
  const at::Tensor v_LHD = v_in.stride(2) == 1 && v_in.strides() == k_LHD.strides() ? v_in : v_in.contiguous();
  TORCH_CHECK(k_LHD.strides() == v_LHD.strides(), "fused decode: K and V need the same layout");
  const int64_t n = q_LHD.size(0), hq = q_LHD.size(1), d = q_LHD.size(2), hkv = k_LHD.size(1), hpg = hq / hkv, rows = n * hpg;
  // Query rows per KV head, row r = token * hpg + j (query head kv_head * hpg + j), in fp32.
  const at::Tensor q_rows = q_LHD.to(at::kFloat).view({n, hkv, hpg, d}).permute({1, 0, 2, 3}).contiguous();
  const bool bf16 = k_LHD.scalar_type() == at::kBFloat16;
  const int64_t elem = bf16 ? 2 : 4;

  std::vector<ChunkItem> items;
  const int64_t last_pos = seg.pos0 + n - 1;
  for (int64_t h = 0; h < hkv; ++h)
    for (size_t i = 0; i < seg.keys.size(); ++i) {
      const SegmentKeys& kr = seg.keys[i];
      const int64_t end = kr.causal ? std::min(kr.end, last_pos + 1) : kr.end;
      for (int64_t kb = kr.begin; kb < end; kb += kDirectDecodeChunk)
        items.push_back(ChunkItem{h, int64_t(i), kb, std::min(end, kb + kDirectDecodeChunk)});
    }
  const int64_t ni = int64_t(items.size());
  std::vector<float> part_max(size_t(ni * rows)), part_sum(size_t(ni * rows)), part_o(size_t(ni * rows * d));
  std::vector<int64_t> row_end(size_t(ni * rows));
  const DecodeChunkFn chunk = decode_chunk_fn();
  std::atomic<int64_t> next{0};
  const int64_t threads = std::max<int64_t>(1, std::min<int64_t>(at::get_num_threads(), ni));
  at::parallel_for(0, threads, 1, [&](int64_t, int64_t) {
    for (int64_t i = next++; i < ni; i = next++) {
      const ChunkItem& it = items[size_t(i)];
      const SegmentKeys& kr = seg.keys[size_t(it.range)];
      int64_t* ends = row_end.data() + i * rows;
      for (int64_t r = 0; r < rows; ++r) ends[r] = kr.causal ? std::min(it.ke, seg.pos0 + r / hpg + 1) : it.ke;
      DecodeChunk c;
      c.q = q_rows.const_data_ptr<float>() + it.kv_head * rows * d, c.rows = rows, c.d = d;
      const int64_t offset = (it.kb * k_LHD.stride(0) + it.kv_head * k_LHD.stride(1)) * elem;
      c.k = static_cast<const char*>(k_LHD.const_data_ptr()) + offset;
      c.v = static_cast<const char*>(v_LHD.const_data_ptr()) + offset;
      c.stride = k_LHD.stride(0), c.bf16 = bf16, c.kb = it.kb, c.ke = it.ke, c.row_end = ends;
      c.scale = float(scale / groups[size_t(kr.group)].temperature);
      c.row_max = part_max.data() + i * rows, c.row_sum = part_sum.data() + i * rows, c.o = part_o.data() + i * rows * d;
      chunk(c);
    }
  });

  // Merge: per KV head and row, the chunks of each group (online log-sum-exp), then the groups.
  const RowOps& ops = row_ops();
  const bool out_bf16 = out_LHD.scalar_type() == at::kBFloat16;
  char* out = static_cast<char*>(out_LHD.data_ptr());
  const int64_t G = int64_t(groups.size()), out_elem = out_bf16 ? 2 : 4;
  const float neg_inf = -std::numeric_limits<float>::infinity();
  std::vector<float> gm(static_cast<size_t>(G)), gl(static_cast<size_t>(G)), go(static_cast<size_t>(G * d));
  for (int64_t h = 0; h < hkv; ++h)
    for (int64_t r = 0; r < rows; ++r) {
      std::fill(gm.begin(), gm.end(), neg_inf);
      std::fill(gl.begin(), gl.end(), 0.0f);
      std::fill(go.begin(), go.end(), 0.0f);
      for (int64_t i = 0; i < ni; ++i) {
        const ChunkItem& it = items[size_t(i)];
        const float m = part_max[size_t(i * rows + r)];
        if (it.kv_head != h || m == neg_inf) continue;
        const int64_t g = seg.keys[size_t(it.range)].group;
        const float m_new = std::max(gm[size_t(g)], m), a = gm[size_t(g)] == neg_inf ? 0.0f : std::exp(gm[size_t(g)] - m_new),
                    b = std::exp(m - m_new);
        gl[size_t(g)] = gl[size_t(g)] * a + part_sum[size_t(i * rows + r)] * b;
        const float* po = part_o.data() + (i * rows + r) * d;
        for (int64_t x = 0; x < d; ++x) go[size_t(g * d + x)] = go[size_t(g * d + x)] * a + po[x] * b;
        gm[size_t(g)] = m_new;
      }
      float coef[8];
      int64_t used[8];
      const float* o[8];
      const int64_t count = group_coefficients(gm.data(), gl.data(), 1, groups, coef, used);
      for (int64_t k = 0; k < count; ++k) o[k] = go.data() + used[k] * d;
      const int64_t t = r / hpg, head = h * hpg + r % hpg;
      ops.combine_store(o, coef, count, d, out + ((t * hq + head) * d) * out_elem, out_bf16);
    }
  ops.fence();
}

}  // namespace pevlm::attention::fused
