#include "harness/provenance.h"

#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness/huge_pages.h"

namespace pevlm {
namespace {

std::string run_capture(const std::string& cmd) {
  std::array<char, 256> buf{};
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return "";
  while (fgets(buf.data(), buf.size(), p)) out += buf.data();
  pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string cpuinfo_field(const std::string& field) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field, 0) == 0) {
      auto c = line.find(':');
      return c == std::string::npos ? "" : line.substr(c + 2);
    }
  return "";
}

}  // namespace

CommitInfo source_commit() {
  if (const char* env = std::getenv("PEVLM_COMMIT"); env != nullptr && *env != '\0') return {env, "PEVLM_COMMIT"};
  const std::string src = PEVLM_SOURCE_DIR_STR;
  std::string c = run_capture("git -C '" + src + "' rev-parse --short=12 HEAD 2>/dev/null");
  if (c.empty()) return {PEVLM_GIT_COMMIT_STR, "configure"};
  if (!run_capture("git -C '" + src + "' status --porcelain --untracked-files=no 2>/dev/null").empty()) c += "-dirty";
  return {c, "git"};
}

std::string git_commit() { return source_commit().commit; }

nlohmann::json machine_info() {
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  std::string flags_line = cpuinfo_field("flags"), isa;
  std::istringstream fl(flags_line);
  for (std::string f; fl >> f;)
    // The features that decide attention/GEMM speed (bf16 matrix units: amx_*, avx512_bf16).
    if (f == "avx2" || f == "fma" || f == "avx512f" || f == "avx512_vnni" || f == "avx512_bf16" || f == "avx512_fp16" ||
        f == "amx_tile" || f == "amx_bf16" || f == "amx_fp16")
      isa += (isa.empty() ? "" : " ") + f;
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  return {{"hostname", host},
          {"cpu", cpuinfo_field("model name")},
          {"cores", std::thread::hardware_concurrency()},
          {"memory_gib", double(pages) * double(page) / (1024.0 * 1024 * 1024)},
          {"isa", isa},
          // Huge pages change the fixed per-call cost of large tensors (harness/huge_pages.h).
          {"huge_pages", {{"tensors", tensor_huge_pages()}, {"kernel_thp", kernel_thp_mode()}}}};
}

nlohmann::json library_versions() {
  return {{"libtorch", PEVLM_TORCH_VERSION_STR}, {"compiler", std::string("g++ ") + __VERSION__}, {"pevlm_bench", "0.1"}};
}

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

nlohmann::json provenance() {
  const CommitInfo commit = source_commit();
  return {{"commit", commit.commit},         {"commit_source", commit.source}, {"machine", machine_info()},
          {"versions", library_versions()}, {"utc_time", utc_now()}};
}

}  // namespace pevlm
