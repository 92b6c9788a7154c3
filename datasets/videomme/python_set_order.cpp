#include "datasets/videomme/python_set_order.h"

#include <optional>
#include <stdexcept>
#include <string>

namespace pevlm::videomme {
namespace {

constexpr size_t kLinearProbes = 9;
constexpr int kPerturbShift = 5;

// Insert `v` into `table` (no deletions, so no dummies); returns false when already present.
bool insert(std::vector<std::optional<int64_t>>& table, int64_t v) {
  const size_t mask = table.size() - 1;
  uint64_t perturb = uint64_t(v);
  size_t i = size_t(uint64_t(v) & mask);
  while (true) {
    if (!table[i]) {
      table[i] = v;
      return true;
    }
    if (*table[i] == v) return false;
    if (i + kLinearProbes <= mask) {
      for (size_t j = 1; j <= kLinearProbes; ++j) {
        if (!table[i + j]) {
          table[i + j] = v;
          return true;
        }
        if (*table[i + j] == v) return false;
      }
    }
    perturb >>= kPerturbShift;
    i = size_t((i * 5 + 1 + perturb) & mask);
  }
}

}  // namespace

std::vector<int64_t> python_set_order(const std::vector<int64_t>& values) {
  std::vector<std::optional<int64_t>> table(8);
  size_t used = 0;
  for (int64_t v : values) {
    if (v < 0) throw std::invalid_argument("python_set_order: negative value " + std::to_string(v));
    if (!insert(table, v)) continue;
    ++used;
    const size_t mask = table.size() - 1;
    if (used * 5 < mask * 3) continue;  // no deletions: fill == used
    const size_t minused = used > 50000 ? used * 2 : used * 4;
    size_t size = 8;
    while (size <= minused) size <<= 1;
    std::vector<std::optional<int64_t>> bigger(size);
    for (const auto& e : table)
      if (e) insert(bigger, *e);
    table.swap(bigger);
  }
  std::vector<int64_t> out;
  for (const auto& e : table)
    if (e) out.push_back(*e);
  return out;
}

}  // namespace pevlm::videomme
