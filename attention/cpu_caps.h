// What this CPU (as libtorch sees it) can run, asked of the libraries themselves -- never found out by
// trying a call that may throw. Every ISA-specific choice of the CPU kernels reads this one place:
//   - the vector ISA of our per-ISA kernels (attention/fused/tile_softmax_*.cpp: softmax tile, row ops with
//     non-temporal stores, bf16 conversions, decode chunks) follows ATen's own CPU capability
//     (at::get_cpu_capability(), the DispatchStub level; honours ATEN_CPU_CAPABILITY=default|avx2|avx512);
//   - the bf16 VNNI brgemm path of the fused kernel runs only where libtorch says its oneDNN micro-kernel
//     packs bf16 (at::native::cpublas::could_pack(kBFloat16): oneDNN's effective ISA >= avx512_core_amx;
//     honours ONEDNN_MAX_CPU_ISA). On every other CPU cpublas::brgemm(..., is_vnni=true) throws
//     ("BFloat16 Brgemm VNNI format is only supported ... when `amx` is supported"), e.g. AVX2-only AMD EPYC.
// scripts/with-cpu-level LEVEL CMD sets those library switches so that a machine with wider units runs
// exactly what a narrower CPU runs (README "Every CPU").
#pragma once

#include <string>

namespace pevlm::attention {

enum class CpuIsa { Default, Avx2, Avx512 };

struct CpuCaps {
  CpuIsa isa = CpuIsa::Default;
  std::string isa_reason;        // e.g. "ATen CPU capability AVX2"
  bool bf16_vnni_brgemm = false;  // cpublas::brgemm runs bf16 x bf16 -> f32 with VNNI-packed B
  std::string bf16_vnni_reason;  // why (not)
};

// Asked once per process (the libraries read their environment switches once too).
const CpuCaps& cpu_caps();
const char* cpu_isa_name(CpuIsa isa);  // "default", "avx2", "avx512"

}  // namespace pevlm::attention
