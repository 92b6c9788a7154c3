// The iteration order of CPython's `list(set(xs))` for small non-negative ints (library pevlm_videomme).
// lmms-eval's videomme_w_subtitle orders the chosen subtitle cues by `list(set(indices))`, which is NOT
// ascending once an index exceeds the set's table size; we reproduce it so the prompt text is identical.
#pragma once

#include <cstdint>
#include <vector>

namespace pevlm::videomme {

// Objects/setobject.c (CPython 3.7-3.13): hash(i) == i for 0 <= i < 2^61 - 1; table starts at 8 slots;
// set_add_entry probes i = hash & mask, then LINEAR_PROBES (9) neighbours while i + 9 <= mask, then
// perturb >>= 5, i = (i * 5 + 1 + perturb) & mask; after an insert, when fill * 5 >= mask * 3 the table
// is resized to the smallest power of two > used * 4 (used * 2 above 50000) and re-filled in slot order.
// Throws std::invalid_argument for a negative value.
std::vector<int64_t> python_set_order(const std::vector<int64_t>& values);

}  // namespace pevlm::videomme
