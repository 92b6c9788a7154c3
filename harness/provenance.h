// Provenance recorded in every result row and report: commit, machine, library versions, time.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace pevlm {

// The commit result rows carry, and where it came from:
//  1. the environment variable PEVLM_COMMIT when set and non-empty (source "PEVLM_COMMIT"): for trees
//     copied without .git (a GPU node's working copy, a tarball), e.g. PEVLM_COMMIT=$(git rev-parse --short=12 HEAD);
//  2. the source checkout at run time (+ "-dirty" with uncommitted changes; source "git");
//  3. the commit the binary was configured at (source "configure"; "unknown" when that had no git either).
struct CommitInfo {
  std::string commit, source;
};
CommitInfo source_commit();
// source_commit().commit.
std::string git_commit();
// Hostname, CPU model, cores, memory, notable ISA flags (avx512*, amx) — the machine in words.
nlohmann::json machine_info();
// Versions: libtorch, compiler, build type.
nlohmann::json library_versions();
// UTC time as ISO 8601 ("2026-11-22T19:30:00Z").
std::string utc_now();
// All of the above in one object ({"commit", "commit_source", "machine", "versions", "utc_time"}).
nlohmann::json provenance();

}  // namespace pevlm
