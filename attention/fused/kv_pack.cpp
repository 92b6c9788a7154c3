// pack_kv (tile_gemm.h): K and V of one call in the tile GEMMs' B layouts. The fp32 path transposes K
// block by block by hand over both cores -- ATen's strided copy_ of the permuted bf16 view measured
// ~50 ms for a 16k-token 7B layer, which made every decode step that packs cost as much as its GEMMs
// several times over. The bf16 VNNI path (AMX machines) keeps ATen's copies.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "attention/fused/tile_gemm.h"
#include "attention/fused/tile_rows.h"

namespace pevlm::attention::fused {
namespace {

constexpr int64_t kPackBlock = 64;  // tokens per transpose block: 64 x D fp32 stays in L1

int64_t round16(int64_t n) { return (n + 15) & ~int64_t(15); }

// Token t's row of head h in fp32 (the source may be bf16 or fp32, any token / head stride).
void row_to_f32(const at::Tensor& x, int64_t t, int64_t h, float* dst) {
  const int64_t D = x.size(2), off = t * x.stride(0) + h * x.stride(1);
  if (x.scalar_type() == at::kFloat) std::memcpy(dst, x.const_data_ptr<float>() + off, size_t(D) * sizeof(float));
  else row_ops().to_float(x.const_data_ptr<at::BFloat16>() + off, dst, D);
}

void pack_f32(const at::Tensor& k_LHD, const at::Tensor& v_LHD, PackedKv& p) {
  const int64_t L = k_LHD.size(0), H = p.kv_heads, D = p.d, Lp = p.lp, blocks = (L + kPackBlock - 1) / kPackBlock;
  p.kt = at::empty({H, D, Lp}, k_LHD.options().dtype(at::kFloat));
  p.v = at::empty({H, Lp, D}, v_LHD.options().dtype(at::kFloat));
  // Zero padding keeps masked columns finite.
  p.kt.narrow(2, L, Lp - L).zero_();
  p.v.narrow(1, L, Lp - L).zero_();
  float* kt = p.kt.data_ptr<float>();
  float* v = p.v.data_ptr<float>();
  at::parallel_for(0, H * blocks, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> buf(size_t(kPackBlock * D));
    for (int64_t i = begin; i < end; ++i) {
      const int64_t h = i / blocks, t0 = (i % blocks) * kPackBlock, nb = std::min(kPackBlock, L - t0);
      for (int64_t j = 0; j < nb; ++j) {
        row_to_f32(k_LHD, t0 + j, h, buf.data() + j * D);
        row_to_f32(v_LHD, t0 + j, h, v + (h * Lp + t0 + j) * D);
      }
      // K^T[h][x][t0 + j] = K[t0 + j][h][x]: contiguous writes along the tokens of each dimension.
      for (int64_t x = 0; x < D; ++x) {
        float* dst = kt + (h * D + x) * Lp + t0;
        for (int64_t j = 0; j < nb; ++j) dst[j] = buf[size_t(j * D + x)];
      }
    }
  });
}

void pack_bf16_vnni(const at::Tensor& k_LHD, const at::Tensor& v_LHD, PackedKv& p) {
  const int64_t L = k_LHD.size(0), H = p.kv_heads, D = p.d, Lp = p.lp;
  TORCH_CHECK(D % 2 == 0, "fused attention: the bf16 VNNI path needs an even head_dim");
  const auto bf = k_LHD.options().dtype(at::kBFloat16);
  p.kt = at::zeros({H, D / 2, Lp, 2}, bf);
  p.kt.narrow(2, 0, L).copy_(k_LHD.reshape({L, H, D / 2, 2}).permute({1, 2, 0, 3}));
  at::Tensor vpad = at::zeros({Lp, H, D}, bf);
  vpad.narrow(0, 0, L).copy_(v_LHD);
  p.v = vpad.view({Lp / 2, 2, H, D}).permute({2, 0, 3, 1}).contiguous();
}

}  // namespace

PackedKv pack_kv(const at::Tensor& k_LHD, const at::Tensor& v_LHD, GemmPath path) {
  const int64_t L = k_LHD.size(0), H = k_LHD.size(1), D = k_LHD.size(2), Lp = round16(std::max<int64_t>(L, 16));
  PackedKv p{path, Lp, D, H, {}, {}};
  if (path == GemmPath::F32) pack_f32(k_LHD, v_LHD, p);
  else pack_bf16_vnni(k_LHD, v_LHD, p);
  return p;
}

}  // namespace pevlm::attention::fused
