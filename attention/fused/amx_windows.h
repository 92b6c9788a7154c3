// Our own AMX bf16 micro-kernel for the PV product of the gathered key windows of per-head sparse
// plans (key_windows.h: a window is a list of chunks, contiguous packed keys at an S column offset).
//
// Why not cpublas::brgemm as everywhere else: a gathered window of vertical-slash holds ~7 chunks of
// ~150 keys for a 64-row query block, and libtorch's brgemm takes one chunk per call (oneDNN's
// batch-reduce is not exported): every PV call reloads and stores the whole O tile (64 x 128 fp32,
// 2-4x the bytes of its V chunk) and pays the kernel-cache lookup. Here O stays in tile registers
// across every chunk of the window (a batch-reduce over chunks). Measured in the kernel (7-head 7B
// slice, bf16, 32k, 2-core Xeon with AMX, cycle counters over 6 runs): PV of vertical-slash's windows
// 2.85-3.08 s -> 2.35-2.39 s, of XAttention's 1.69 -> 1.31-1.38 s.
// QK^T stays on cpublas::brgemm per chunk: our AMX QK^T (one call per window; also with a key-blocked
// K^T copy whose B tiles are 1 KB contiguous) measured no faster for 64-row blocks and 5-25 % slower
// for 128-row ones -- the K^T chunks of a window stream from L3, and brgemm's per-chunk calls cost no
// O traffic there (S is written once either way).
//
// Tiles: one configuration, all eight 16 rows x 64 bytes (C: 16 x 16 fp32; A: 16 x 32 bf16 of P;
// B: 16 VNNI key pairs x 16 dims of V), 2 x 2 C blocks; V as tile_gemm.h's Bf16Vnni PackedKv
// (v [Lp/2][D][2]). Requirements (callers check amx_window_shape_ok): rows a multiple of 16, D a
// multiple of 32, chunks starting on the 16-key grid with widths multiples of 16 (the uncut layout's
// gathered windows are). A chunk whose width is an odd multiple of 16 ends with a 32-key step whose
// last 8 V key pairs are zeros (a small copy): its A tile reads 16 P columns past the chunk, which
// the zero V rows cancel, and no V outside the chunk is read.
#pragma once

#include <c10/util/BFloat16.h>

#include <cstdint>
#include <string>
#include <vector>

#include "attention/fused/key_windows.h"

namespace pevlm::attention::fused {

// Whether this process runs AMX tiles: the CPU reports amx-tile and amx-bf16, the libraries are not
// capped below AMX (cpu_caps().bf16_vnni_brgemm: ONEDNN_MAX_CPU_ISA, scripts/with-cpu-level) and Linux
// granted the tile-data state (arch_prctl ARCH_REQ_XCOMP_PERM). Asked once; `amx_reason()` says why (not).
bool amx_available();
const std::string& amx_reason();

// Whether per-head sparse calls on the bf16 VNNI path run these kernels: AMX available and not
// switched off by $PEVLM_FUSED_AMX=0 (=1 demands them: an error where AMX cannot run; anything else
// is an error too). Decided once; `reason` is what the executor's kernel name reports.
struct AmxWindowsChoice {
  bool on = false;
  std::string reason;
};
AmxWindowsChoice choose_amx_windows(bool amx_ok, const std::string& amx_why, const char* env);
const AmxWindowsChoice& amx_windows_choice();

// Whether a window's PV runs here: its shape fits (above) and it has several short chunks -- at least
// 2, at most kAmxPvMaxMeanChunk keys on average. Long chunks are brgemm's best case (one call, little
// O traffic per key). sparse_window_bench (one core, V of 32k keys, 128 rows, median of 7):
// chunks of 128 / 256 keys 31.7 / 34.1 us here vs 39.3 / 42.3 us per-chunk brgemm, of 512 keys 33.0 vs
// 28.5, one 1024-key chunk 32.9 vs 34.2; forced 70 % / 90 % density (mostly long runs of blocks)
// measured 3-5 % slower with every window here.
constexpr int64_t kAmxPvMaxMeanChunk = 256;
bool amx_window_shape_ok(int64_t rows, int64_t d, const std::vector<WindowChunk>& chunks);
bool amx_pv_suits(int64_t rows, int64_t d, const std::vector<WindowChunk>& chunks);

constexpr int64_t kAmxPvPadColumns = 16;

// One 32-key step of a window's PV: its P columns at `a` (row 0) and V key pairs at `b` (dim 0).
struct AmxPvStep {
  const c10::BFloat16* a;
  const c10::BFloat16* b;
};

// Per-thread scratch of amx_pv_window: the zero-padded V copies of 16-key tails (see above), the steps.
struct AmxPvScratch {
  std::vector<c10::BFloat16> v;
  std::vector<AmxPvStep> steps;
};

// O[rows, D] (+)= sum over chunks of P[:, s_col .. s_col + cols) x V keys [packed, packed + cols)
// (v_head = the KV head's [Lp/2][D][2] block); `accumulate` false overwrites O. P (row stride ld_p)
// must be finite and readable for 16 columns past the last chunk of every row (kAmxPvPadColumns).
void amx_pv_window(const c10::BFloat16* p, int64_t ld_p, int64_t rows, const c10::BFloat16* v_head, int64_t d,
                   const std::vector<WindowChunk>& chunks, float* o, bool accumulate, AmxPvScratch& scratch);

// Releases the tile state (the end of a thread's AMX work, or before libtorch's brgemm runs again:
// cpublas::brgemm_release also makes its next call reconfigure the tiles we changed).
void amx_release();

}  // namespace pevlm::attention::fused
