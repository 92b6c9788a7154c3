// Fused-kernel tests built twice (tests/attention.cmake): once on the GEMM path this CPU calibrates to,
// once with PEVLM_TEST_FUSED_GEMM="bf16" forcing the bf16 VNNI path (the one AMX machines take), so
// both paths are tested on any machine. Include in one test file per binary.
#pragma once

#include <cstdlib>
#include <string>

#include "attention/cpu_caps.h"

#ifdef PEVLM_TEST_FUSED_GEMM
// Before any executor runs: the GEMM path is chosen once per process.
inline const bool kPevlmFusedGemmForced = [] { return setenv("PEVLM_FUSED_GEMM", PEVLM_TEST_FUSED_GEMM, 1) == 0; }();

// The forced bf16 VNNI path runs only where libtorch can run it (attention/cpu_caps.h); elsewhere (AVX2-only
// CPUs, or any CPU under scripts/with-cpu-level below AMX) every test of this binary skips, saying why.
#define PEVLM_REQUIRE_GEMM_PATH()                                                                            \
  if (std::string(PEVLM_TEST_FUSED_GEMM) == "bf16" && !pevlm::attention::cpu_caps().bf16_vnni_brgemm)       \
  GTEST_SKIP() << "forced bf16 VNNI brgemm path cannot run on this CPU: " << pevlm::attention::cpu_caps().bf16_vnni_reason
#else
#define PEVLM_REQUIRE_GEMM_PATH() (void)0
#endif
