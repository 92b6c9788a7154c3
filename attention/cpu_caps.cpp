#include "attention/cpu_caps.h"

#include <ATen/Version.h>
#include <ATen/native/CPUBlas.h>

#include <cstdlib>

namespace pevlm::attention {
namespace {

std::string env_note(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(name) + "=" + v : std::string(name) + " unset";
}

CpuCaps ask() {
  CpuCaps c;
  // ATen checks the hardware (cpuinfo) and caps it by ATEN_CPU_CAPABILITY; it never answers above the
  // hardware, so our AVX-512 code is only chosen where ATen's own AVX-512 kernels run.
  const std::string aten = at::get_cpu_capability();
  c.isa = aten == "AVX512" ? CpuIsa::Avx512 : aten == "AVX2" ? CpuIsa::Avx2 : CpuIsa::Default;
  c.isa_reason = "ATen CPU capability " + aten + " (" + env_note("ATEN_CPU_CAPABILITY") + ")";
  // could_pack(bf16) is true exactly where oneDNN's bf16 micro-kernel (AMX) is available, which implies the
  // bf16 VNNI brgemm runs (its own check needs a subset of that ISA). Below AVX-512 our kernel never asks.
  const bool packs = at::native::cpublas::could_pack(at::kBFloat16);
  c.bf16_vnni_brgemm = packs && c.isa == CpuIsa::Avx512;
  c.bf16_vnni_reason = std::string("cpublas::could_pack(bf16) ") + (packs ? "true" : "false") + " (oneDNN bf16 ukernel " +
                       (packs ? "available" : "unavailable: needs AMX") + "; " + env_note("ONEDNN_MAX_CPU_ISA") + ")";
  if (packs && c.isa != CpuIsa::Avx512) c.bf16_vnni_reason += ", but the ATen ISA is capped below AVX-512";
  return c;
}

}  // namespace

const CpuCaps& cpu_caps() {
  static const CpuCaps c = ask();
  return c;
}

const char* cpu_isa_name(CpuIsa isa) {
  switch (isa) {
    case CpuIsa::Avx512: return "avx512";
    case CpuIsa::Avx2: return "avx2";
    default: return "default";
  }
}

}  // namespace pevlm::attention
