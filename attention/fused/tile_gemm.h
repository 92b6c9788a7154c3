// The two tile GEMMs of the fused kernel (S = Q K^T, O += P V) through libtorch's
// at::native::cpublas::brgemm (fp32 accumulation), and the per-call packing of K and V they need.
//
// brgemm is the one GEMM entry point libtorch exports for C = A B with fp32 C: bf16 x bf16 with B in
// VNNI pairs (oneDNN's brgemm micro-kernel, AMX / AVX-512-bf16, where libtorch enables it; otherwise
// libtorch's own fallback GEMM), or fp32 x fp32 (MKL). Which one is faster depends on the CPU: on
// AMX machines bf16 is ~4x fp32, on AVX-512-bf16 without AMX libtorch's bf16 path measured ~0.5x
// fp32 (88 vs 170 GFLOP/s per core), on AVX2 bf16 is emulated. So bf16 inputs take whichever path a
// short calibration measures faster (once per process); fp32 inputs always take the fp32 path.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <ATen/core/Tensor.h>

#include "attention/cpu_caps.h"
#include "attention/fused/key_layout.h"

namespace pevlm::attention::fused {

enum class GemmPath {
  F32,       // Q/K/V tiles in fp32 (bf16 inputs up-converted once per call), cpublas::brgemm fp32
  Bf16Vnni,  // bf16 tiles, B in VNNI pairs, cpublas::brgemm bf16 -> fp32
};

struct GemmChoice {
  GemmPath path = GemmPath::F32;
  double f32_gflops = 0, bf16_gflops = 0;  // the calibration (per core, tile shape), 0 if not run
  std::string reason;
};

// The path for bf16 inputs (cached for the process): choose_bf16_gemm(cpu_caps(), $PEVLM_FUSED_GEMM, a ~10 ms
// calibration at the kernel's tile shape).
const GemmChoice& bf16_gemm_choice();
// The rule: `forced` ("f32" | "bf16" | nullptr) wins, but forcing bf16 where caps say the VNNI brgemm cannot
// run is an error (never a crash inside libtorch, never a silent switch); unforced, a CPU without the
// VNNI brgemm takes fp32 without calibrating, else `calibrate` measures both.
GemmChoice choose_bf16_gemm(const attention::CpuCaps& caps, const char* forced, const std::function<GemmChoice()>& calibrate);
std::string gemm_path_name(GemmPath p);

// K and V of one call packed as the GEMMs' B operands, for every KV head, keys placed by a KeyLayout
// (key_layout.h: each piece of the key ranges starts on a 16-key boundary, zero keys in the gaps),
// Lp = layout.packed_keys: memory 2 x Lp x Hkv x D elements (fp32 path: 4 bytes, bf16 path: 2) --
// O(L). Window starts are packed indices on the 16-key grid (64-byte-aligned K^T rows).
//   F32:      kt [Hkv][D][Lp] (K transposed), v [Hkv][Lp][D]
//   Bf16Vnni: kt [Hkv][D/2][Lp][2],           v [Hkv][Lp/2][D][2]  (pairs of consecutive keys)
// A bf16 V window must therefore start at an even packed index, which the grid guarantees.
struct PackedKv {
  GemmPath path = GemmPath::F32;
  int64_t lp = 0, d = 0, kv_heads = 0;
  at::Tensor kt, v;
};

// Buffers a caller keeps across calls so that packing reuses memory: a fresh 30+ MB allocation is a
// fresh mmap, and its page faults (the kernel zeroing every page) made a 16k-token pack ~6x slower
// than the copy itself (BM_PackKv: 26 ms vs 4 ms). Grows to the largest call; empty = allocate.
struct PackWorkspace {
  at::Tensor kt, v;
};

PackedKv pack_kv(const at::Tensor& k_LHD, const at::Tensor& v_LHD, GemmPath path, const KeyLayout& layout,
                 PackWorkspace* workspace = nullptr);

// S[M, N] (ld ld_s) = Q[M, D] (ld D, tile dtype of the path) x K^T window [wb, wb + N) of head h
// (packed indices).
void gemm_qk(const PackedKv& kv, int64_t h, int64_t wb, int64_t m, int64_t n, const void* q, float* s, int64_t ld_s);
// O[M, D] (ld D) (+)= P[M, N] (ld ld_p, tile dtype) x V window [wb, wb + N) of head h; `accumulate`
// false overwrites O (a row group's first window: no zero-fill, no read). N, wb and ld_p must be
// even on the bf16 path (VNNI pairs).
void gemm_pv(const PackedKv& kv, int64_t h, int64_t wb, int64_t m, int64_t n, const void* p, int64_t ld_p, float* o,
             bool accumulate);
// Releases the micro-kernel's hardware context (AMX tile state) at the end of a thread's work.
void gemm_release(GemmPath path);

}  // namespace pevlm::attention::fused
