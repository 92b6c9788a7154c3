#include "harness/huge_pages.h"

#include <cstdlib>
#include <fstream>

namespace pevlm {

// Asked of the kernel, not assumed: where THP is absent or "[never]" madvise(MADV_HUGEPAGE) can do nothing
// (c10 would warn on every failure), so the switch stays off and provenance says so.
void enable_tensor_huge_pages() {
  const std::string mode = kernel_thp_mode();
  if (mode.empty() || mode.find("[never]") != std::string::npos) return;
  setenv("THP_MEM_ALLOC_ENABLE", "1", /*overwrite=*/0);
}

std::string tensor_huge_pages() {
  const char* v = std::getenv("THP_MEM_ALLOC_ENABLE");
  return v != nullptr && std::string(v) != "0" && std::string(v) != "" ? "on" : "off";
}

std::string kernel_thp_mode() {
  std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string line;
  std::getline(f, line);
  return line;
}

}  // namespace pevlm
