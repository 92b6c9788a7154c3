// Large tensors on transparent huge pages, through libtorch's own switch (c10's CPU allocator reads
// THP_MEM_ALLOC_ENABLE once, at its first allocation: tensors of >= 2 MB are then 2 MB-aligned and
// madvise(MADV_HUGEPAGE)d).
//
// Why: glibc serves every allocation above 32 MB with a fresh mmap, so each attention call's output
// (118 MB for a 16k-token 7B layer) page-faults ~29k times while the kernel zeroes each 4 KB page.
// Measured (pevlm speed, PEVLM sys+2f/4f at 16k, 2-core Xeon, THP mode "madvise"): 3.4 % of the
// call in the kernel's fault path; with huge pages the call ran 1040 -> ~990 ms (speedup / FLOP ratio
// 0.90 -> 0.93) while full attention moved < 1 %. The cost is the same in absolute terms for every
// method, so without this a cheap method looks worse than its kernel is.
#pragma once

#include <string>

namespace pevlm {

// Sets THP_MEM_ALLOC_ENABLE=1 unless the user set it (either value is respected) or the kernel offers no
// transparent huge pages (mode absent or "[never]"). Call first thing in main(), before any tensor exists.
void enable_tensor_huge_pages();

// For provenance: "on" / "off" (the env switch) and the kernel's THP mode
// (/sys/kernel/mm/transparent_hugepage/enabled, e.g. "always [madvise] never"; "" where absent).
std::string tensor_huge_pages();
std::string kernel_thp_mode();

}  // namespace pevlm
