// Provenance recorded in every result row and report: commit, machine, library versions, time.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace pevlm {

// Git commit of the source tree (+ "-dirty" with uncommitted changes), read at run time from the
// source checkout when available, else the commit the binary was configured at.
std::string git_commit();
// Hostname, CPU model, cores, memory, notable ISA flags (avx512*, amx) — the machine in words.
nlohmann::json machine_info();
// Versions: libtorch, compiler, build type.
nlohmann::json library_versions();
// UTC time as ISO 8601 ("2026-11-22T19:30:00Z").
std::string utc_now();
// All of the above in one object.
nlohmann::json provenance();

}  // namespace pevlm
