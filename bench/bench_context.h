// Google Benchmark context for the pevlm benches: the machine (CPU model, cores, ISA flags such as
// amx_*, avx512_bf16, avx2), commit and library versions, printed in the header and in the JSON
// output's "context" so figures from different machines are comparable (issue 15).
#pragma once

#include <benchmark/benchmark.h>

#include <string>

#include "harness/huge_pages.h"
#include "harness/provenance.h"

namespace pevlm::bench {

inline void add_provenance_context() {
  const nlohmann::json m = machine_info();
  benchmark::AddCustomContext("pevlm_cpu", m.value("cpu", std::string("unknown")));
  benchmark::AddCustomContext("pevlm_cpu_features", m.contains("isa") ? m["isa"].dump() : "[]");
  benchmark::AddCustomContext("pevlm_commit", git_commit());
  benchmark::AddCustomContext("pevlm_libraries", library_versions().dump());
  benchmark::AddCustomContext("pevlm_huge_pages", m.contains("huge_pages") ? m["huge_pages"].dump() : "{}");
}

}  // namespace pevlm::bench

// BENCHMARK_MAIN with the provenance context added first.
#define PEVLM_BENCHMARK_MAIN()                                        \
  int main(int argc, char** argv) {                                   \
    pevlm::enable_tensor_huge_pages();                                \
    pevlm::bench::add_provenance_context();                           \
    benchmark::Initialize(&argc, argv);                               \
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1; \
    benchmark::RunSpecifiedBenchmarks();                              \
    benchmark::Shutdown();                                            \
    return 0;                                                         \
  }
