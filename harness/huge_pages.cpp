#include "harness/huge_pages.h"

#include <cstdlib>
#include <fstream>

namespace pevlm {

void enable_tensor_huge_pages() { setenv("THP_MEM_ALLOC_ENABLE", "1", /*overwrite=*/0); }

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
