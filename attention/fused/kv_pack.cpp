// pack_kv (tile_gemm.h): K and V of one call in the tile GEMMs' B layouts. The fp32 path transposes K
// block by block by hand over both cores -- ATen's strided copy_ of the permuted bf16 view measured
// ~50 ms for a 16k-token 7B layer, which made every decode step that packs cost as much as its GEMMs
// several times over. The bf16 VNNI path (AMX machines) is packed the same way (pack_bf16_vnni).
#include <ATen/ATen.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "attention/fused/key_layout.h"
#include "attention/fused/tile_gemm.h"
#include "attention/fused/tile_rows.h"
#include "attention/parallel_for.h"

namespace pevlm::attention::fused {
namespace {

constexpr int64_t kPackBlock = 64;  // tokens per transpose block: 64 x D fp32 stays in L1

// Token t's row of head h in fp32 (the source may be bf16 or fp32, any token / head stride).
void row_to_f32(const at::Tensor& x, int64_t t, int64_t h, float* dst) {
  const int64_t D = x.size(2), off = t * x.stride(0) + h * x.stride(1);
  if (x.scalar_type() == at::kFloat) std::memcpy(dst, x.const_data_ptr<float>() + off, size_t(D) * sizeof(float));
  else row_ops().to_float(x.const_data_ptr<at::BFloat16>() + off, dst, D);
}

// A flat buffer of `numel` elements from the workspace slot (grown when too small), viewed as `shape`.
at::Tensor take(at::Tensor* slot, at::IntArrayRef shape, const at::TensorOptions& options) {
  int64_t numel = 1;
  for (int64_t s : shape) numel *= s;
  if (slot == nullptr) return at::empty(shape, options);
  if (!slot->defined() || slot->numel() < numel || slot->dtype() != options.dtype()) *slot = at::empty({numel}, options);
  return slot->narrow(0, 0, numel).view(shape);
}

// One unit of packing work: keys [t0, t0 + n) of one piece -- or keys[0..n) of a column region, for
// KV head `head` only -- and the padding after them (up to the next piece or region) this unit zeroes.
struct PackBlock {
  int64_t t0 = 0, n = 0, packed = 0, pad = 0;
  const int32_t* keys = nullptr;
  int64_t head = -1;  // -1: every KV head
  int64_t key(int64_t j) const { return keys ? int64_t(keys[j]) : t0 + j; }
};

std::vector<PackBlock> pack_blocks(const KeyLayout& layout) {
  std::vector<PackBlock> blocks;
  const int64_t pieces_end = layout.regions.empty() ? layout.packed_keys : layout.regions.front().packed;
  for (size_t i = 0; i < layout.pieces.size(); ++i) {
    const KeyPiece& p = layout.pieces[i];
    const int64_t next = i + 1 < layout.pieces.size() ? layout.pieces[i + 1].packed : pieces_end;
    for (int64_t t0 = p.begin; t0 < p.end; t0 += kPackBlock) {
      const int64_t n = std::min(kPackBlock, p.end - t0), packed = p.packed + (t0 - p.begin);
      blocks.push_back(PackBlock{t0, n, packed, t0 + n == p.end ? next - (packed + n) : 0});
    }
  }
  for (size_t i = 0; i < layout.regions.size(); ++i) {
    const ColumnRegion& r = layout.regions[i];
    const int64_t size = int64_t(r.keys.size());
    const int64_t next = i + 1 < layout.regions.size() ? layout.regions[i + 1].packed : layout.packed_keys;
    for (int64_t j0 = 0; j0 < size; j0 += kPackBlock) {
      const int64_t n = std::min(kPackBlock, size - j0), packed = r.packed + j0;
      blocks.push_back(PackBlock{0, n, packed, j0 + n == size ? next - (packed + n) : 0, r.keys.data() + j0, r.kv_head});
    }
  }
  return blocks;
}

void pack_f32(const at::Tensor& k_LHD, const at::Tensor& v_LHD, const KeyLayout& layout, PackWorkspace* ws, PackedKv& p) {
  const int64_t H = p.kv_heads, D = p.d, Lp = p.lp;
  const auto f32 = k_LHD.options().dtype(at::kFloat);
  p.kt = take(ws ? &ws->kt : nullptr, {H, D, Lp}, f32);
  p.v = take(ws ? &ws->v : nullptr, {H, Lp, D}, f32);
  float* kt = p.kt.data_ptr<float>();
  float* v = p.v.data_ptr<float>();
  const std::vector<PackBlock> blocks = pack_blocks(layout);
  const int64_t nb = int64_t(blocks.size());
  at::parallel_for(0, H * nb, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> buf(size_t(kPackBlock * D));
    for (int64_t i = begin; i < end; ++i) {
      const int64_t h = i / nb;
      const PackBlock& b = blocks[size_t(i % nb)];
      if (b.head >= 0 && b.head != h) continue;  // a column region is read for its own KV head only
      for (int64_t j = 0; j < b.n; ++j) {
        row_to_f32(k_LHD, b.key(j), h, buf.data() + j * D);
        row_to_f32(v_LHD, b.key(j), h, v + (h * Lp + b.packed + j) * D);
      }
      // K^T[h][x][packed + j] = K[t0 + j][h][x]: contiguous writes along the keys of each dimension.
      for (int64_t x = 0; x < D; ++x) {
        float* dst = kt + (h * D + x) * Lp + b.packed;
        for (int64_t j = 0; j < b.n; ++j) dst[j] = buf[size_t(j * D + x)];
        // Zero padding keeps any column a window may read past a piece finite.
        std::fill(dst + b.n, dst + b.n + b.pad, 0.0f);
      }
      std::fill(v + (h * Lp + b.packed + b.n) * D, v + (h * Lp + b.packed + b.n + b.pad) * D, 0.0f);
    }
  });
}

// x as bf16 with unit inner stride (the bf16 path gets bf16 inputs; anything else is converted once).
at::Tensor bf16_rows(const at::Tensor& x) {
  return x.scalar_type() == at::kBFloat16 && x.stride(2) == 1 ? x : x.to(at::kBFloat16).contiguous();
}

// bf16 VNNI (tile_gemm.h): kt [H][D/2][Lp][2] and v [H][Lp/2][D][2], written block by block over both
// cores into the workspace, only the padding zeroed. It replaced ATen's zeros + permuted copies (three
// fresh Lp x H x D buffers per call: above ~32 MB -- 4 KV heads at 32k -- each one a fresh mmap whose
// page faults cost more than the copy).
void pack_bf16_vnni(const at::Tensor& k_LHD, const at::Tensor& v_LHD, const KeyLayout& layout, PackWorkspace* ws, PackedKv& p) {
  const int64_t H = p.kv_heads, D = p.d, Lp = p.lp, D2 = D / 2;
  TORCH_CHECK(D % 2 == 0, "fused attention: the bf16 VNNI path needs an even head_dim");
  const at::Tensor k = bf16_rows(k_LHD), v = bf16_rows(v_LHD);
  const auto bf = k.options().dtype(at::kBFloat16);
  p.kt = take(ws ? &ws->kt : nullptr, {H, D2, Lp, 2}, bf);
  p.v = take(ws ? &ws->v : nullptr, {H, Lp / 2, D, 2}, bf);
  // One uint32 per VNNI pair: (dim pair, key) in K^T, (key pair, dim) in V.
  uint32_t* kt = reinterpret_cast<uint32_t*>(p.kt.data_ptr<at::BFloat16>());
  uint32_t* vp = reinterpret_cast<uint32_t*>(p.v.data_ptr<at::BFloat16>());
  auto row = [](const at::Tensor& x, int64_t t, int64_t h) {
    return reinterpret_cast<const uint16_t*>(x.const_data_ptr<at::BFloat16>() + t * x.stride(0) + h * x.stride(1));
  };
  const std::vector<PackBlock> blocks = pack_blocks(layout);
  const int64_t nb = int64_t(blocks.size());
  at::parallel_for(0, H * nb, 1, [&](int64_t begin, int64_t end) {
    std::vector<const uint32_t*> krows(static_cast<size_t>(kPackBlock));
    for (int64_t i = begin; i < end; ++i) {
      const int64_t h = i / nb;
      const PackBlock& b = blocks[size_t(i % nb)];
      if (b.head >= 0 && b.head != h) continue;  // a column region is read for its own KV head only
      for (int64_t j = 0; j < b.n; ++j) krows[size_t(j)] = reinterpret_cast<const uint32_t*>(row(k, b.key(j), h));
      // K^T[h][x2][packed + j] = K[key j][h][2 x2 .. 2 x2 + 1]: contiguous writes along the keys.
      for (int64_t x2 = 0; x2 < D2; ++x2) {
        uint32_t* dst = kt + (h * D2 + x2) * Lp + b.packed;
        for (int64_t j = 0; j < b.n; ++j) dst[j] = krows[size_t(j)][x2];
        std::fill(dst + b.n, dst + b.n + b.pad, 0u);  // zero keys keep any column a window reads past a piece finite
      }
      // V[h][t / 2][d] = (V[key t][h][d], V[key t + 1][h][d]) for even packed t (blocks start even and
      // end, padding included, on the 16-key grid); padding keys zero.
      for (int64_t j = 0; j < b.n + b.pad; j += 2) {
        const uint16_t* lo = j < b.n ? row(v, b.key(j), h) : nullptr;
        const uint16_t* hi = j + 1 < b.n ? row(v, b.key(j + 1), h) : nullptr;
        uint32_t* dst = vp + (h * (Lp / 2) + (b.packed + j) / 2) * D;
        for (int64_t d = 0; d < D; ++d) dst[d] = uint32_t(lo ? lo[d] : 0) | uint32_t(hi ? hi[d] : 0) << 16;
      }
    }
  });
}

}  // namespace

PackedKv pack_kv(const at::Tensor& k_LHD, const at::Tensor& v_LHD, GemmPath path, const KeyLayout& layout, PackWorkspace* workspace) {
  TORCH_CHECK(layout.keys == k_LHD.size(0), "fused attention: key layout for ", layout.keys, " keys, K has ", k_LHD.size(0));
  PackedKv p{path, layout.packed_keys, k_LHD.size(2), k_LHD.size(1), {}, {}};
  if (path == GemmPath::F32) pack_f32(k_LHD, v_LHD, layout, workspace, p);
  else pack_bf16_vnni(k_LHD, v_LHD, layout, workspace, p);
  return p;
}

}  // namespace pevlm::attention::fused
