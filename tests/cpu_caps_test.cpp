// attention/cpu_caps.h and the fused kernel's GEMM-path rule: the capability answers agree with the
// hardware and with the library switches scripts/with-cpu-level sets (this test runs again under each level
// in scripts/cpu-levels-test), forcing a path the CPU cannot run is a clear error, and an unsupported CPU
// never calibrates (calibrating would call the throwing brgemm).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "attention/cpu_caps.h"
#include "attention/executor.h"
#include "attention/fused/tile_gemm.h"
#include "attention/fused/tile_softmax.h"

namespace pevlm {
namespace {

using attention::CpuCaps;
using attention::CpuIsa;
using attention::fused::choose_bf16_gemm;
using attention::fused::GemmChoice;
using attention::fused::GemmPath;

bool cpu_flag(const std::string& flag) {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("flags", 0) == 0) {
      std::istringstream words(line);
      for (std::string w; words >> w;)
        if (w == flag) return true;
      return false;
    }
  return false;
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v ? v : fallback;
}

TEST(CpuCaps, NeverAboveTheHardware) {
  const CpuCaps& caps = attention::cpu_caps();
  if (!cpu_flag("avx512f") || !cpu_flag("avx512bw") || !cpu_flag("avx512vl") || !cpu_flag("avx512dq"))
    EXPECT_NE(caps.isa, CpuIsa::Avx512) << caps.isa_reason;
  if (!cpu_flag("avx2") || !cpu_flag("fma")) EXPECT_EQ(caps.isa, CpuIsa::Default) << caps.isa_reason;
  // oneDNN's bf16 micro-kernel needs AMX: without amx_bf16 the VNNI brgemm must never be offered.
  if (!cpu_flag("amx_bf16")) EXPECT_FALSE(caps.bf16_vnni_brgemm) << caps.bf16_vnni_reason;
  EXPECT_FALSE(caps.isa_reason.empty());
  EXPECT_FALSE(caps.bf16_vnni_reason.empty());
}

TEST(CpuCaps, FollowsTheLibrarySwitches) {
  const CpuCaps& caps = attention::cpu_caps();
  const std::string aten = env_or("ATEN_CPU_CAPABILITY", "");
  if (aten == "default") EXPECT_EQ(caps.isa, CpuIsa::Default) << caps.isa_reason;
  if (aten == "avx2") EXPECT_NE(caps.isa, CpuIsa::Avx512) << caps.isa_reason;
  const std::string onednn = env_or("ONEDNN_MAX_CPU_ISA", "");
  if (!onednn.empty() && onednn.find("AMX") == std::string::npos && onednn != "ALL")
    EXPECT_FALSE(caps.bf16_vnni_brgemm) << "ONEDNN_MAX_CPU_ISA=" << onednn << ": " << caps.bf16_vnni_reason;
  // The fused kernel's vector code follows the same answer, and says so in its kernel name.
  EXPECT_EQ(std::string(attention::fused::softmax_tile_isa()), attention::cpu_isa_name(caps.isa));
  const std::string kernel = attention::make_executor("cpu")->kernel();
  EXPECT_NE(kernel.find(caps.isa_reason), std::string::npos) << kernel;
  std::printf("[cpu caps] isa %s (%s); bf16 VNNI brgemm %s (%s)\n", attention::cpu_isa_name(caps.isa), caps.isa_reason.c_str(),
              caps.bf16_vnni_brgemm ? "yes" : "no", caps.bf16_vnni_reason.c_str());
}

CpuCaps caps_with(bool vnni) {
  CpuCaps c;
  c.isa = vnni ? CpuIsa::Avx512 : CpuIsa::Avx2;
  c.bf16_vnni_brgemm = vnni;
  c.bf16_vnni_reason = vnni ? "test: supported" : "test: unsupported";
  return c;
}

TEST(FusedGemmChoice, UnsupportedCpuTakesF32WithoutCalibrating) {
  int calibrations = 0;
  const auto calibrate = [&] { ++calibrations; return GemmChoice{GemmPath::Bf16Vnni, 1, 2, "calibrated"}; };
  const GemmChoice c = choose_bf16_gemm(caps_with(false), nullptr, calibrate);
  EXPECT_EQ(c.path, GemmPath::F32);
  EXPECT_EQ(calibrations, 0);
  EXPECT_NE(c.reason.find("test: unsupported"), std::string::npos) << c.reason;
  EXPECT_EQ(choose_bf16_gemm(caps_with(true), nullptr, calibrate).path, GemmPath::Bf16Vnni);
  EXPECT_EQ(calibrations, 1);
}

TEST(FusedGemmChoice, ForcingIsHonouredOrAClearError) {
  const auto never = []() -> GemmChoice { ADD_FAILURE() << "calibrated although forced"; return {}; };
  EXPECT_EQ(choose_bf16_gemm(caps_with(false), "f32", never).path, GemmPath::F32);
  EXPECT_EQ(choose_bf16_gemm(caps_with(true), "bf16", never).path, GemmPath::Bf16Vnni);
  try {
    choose_bf16_gemm(caps_with(false), "bf16", never);
    ADD_FAILURE() << "forcing bf16 on an unsupported CPU did not throw";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("test: unsupported"), std::string::npos) << e.what();
  }
  try {
    choose_bf16_gemm(caps_with(true), "fp16", never);
    ADD_FAILURE() << "an unknown value did not throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("expected f32 or bf16"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace pevlm
