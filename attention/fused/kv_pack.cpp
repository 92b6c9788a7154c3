// pack_kv (tile_gemm.h): K and V of one call in the tile GEMMs' B layouts. The fp32 path transposes K
// block by block by hand over both cores -- ATen's strided copy_ of the permuted bf16 view measured
// ~50 ms for a 16k-token 7B layer, which made every decode step that packs cost as much as its GEMMs
// several times over. The bf16 VNNI path (AMX machines) keeps ATen's copies.
#include <ATen/ATen.h>

#include <algorithm>
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

void pack_bf16_vnni(const at::Tensor& k_LHD, const at::Tensor& v_LHD, const KeyLayout& layout, PackedKv& p) {
  const int64_t H = p.kv_heads, D = p.d, Lp = p.lp;
  TORCH_CHECK(D % 2 == 0, "fused attention: the bf16 VNNI path needs an even head_dim");
  const auto bf = k_LHD.options().dtype(at::kBFloat16);
  p.kt = at::zeros({H, D / 2, Lp, 2}, bf);
  at::Tensor vpad = at::zeros({Lp, H, D}, bf);
  for (const KeyPiece& piece : layout.pieces) {
    const int64_t n = piece.end - piece.begin;
    p.kt.narrow(2, piece.packed, n).copy_(k_LHD.narrow(0, piece.begin, n).reshape({n, H, D / 2, 2}).permute({1, 2, 0, 3}));
    vpad.narrow(0, piece.packed, n).copy_(v_LHD.narrow(0, piece.begin, n));
  }
  for (const ColumnRegion& r : layout.regions) {
    const int64_t n = int64_t(r.keys.size()), g = r.kv_head;
    const at::Tensor idx = at::from_blob(const_cast<int32_t*>(r.keys.data()), {n}, at::kInt).to(at::kLong);
    p.kt.narrow(0, g, 1).narrow(2, r.packed, n).copy_(
        k_LHD.index_select(0, idx).narrow(1, g, 1).reshape({n, 1, D / 2, 2}).permute({1, 2, 0, 3}));
    vpad.narrow(0, r.packed, n).narrow(1, g, 1).copy_(v_LHD.index_select(0, idx).narrow(1, g, 1));
  }
  p.v = vpad.view({Lp / 2, 2, H, D}).permute({2, 0, 3, 1}).contiguous();
}

}  // namespace

PackedKv pack_kv(const at::Tensor& k_LHD, const at::Tensor& v_LHD, GemmPath path, const KeyLayout& layout, PackWorkspace* workspace) {
  TORCH_CHECK(layout.keys == k_LHD.size(0), "fused attention: key layout for ", layout.keys, " keys, K has ", k_LHD.size(0));
  PackedKv p{path, layout.packed_keys, k_LHD.size(2), k_LHD.size(1), {}, {}};
  if (path == GemmPath::F32) pack_f32(k_LHD, v_LHD, layout, workspace, p);
  else pack_bf16_vnni(k_LHD, v_LHD, layout, p);
  return p;
}

}  // namespace pevlm::attention::fused
