// Include this, not <ATen/Parallel.h>, in a file that calls at::parallel_for, and list the file in
// pevlm_openmp_sources (cmake/PevlmHelpers.cmake). libtorch's CPU backend is OpenMP, and
// at::parallel_for's OpenMP path is a `#pragma omp parallel` inside this header template: a file
// compiled without -fopenmp silently runs the whole range on ONE thread (found twice: the fused kernel,
// 140 GFLOP/s on 1 and 2 threads alike; vertical-slash's plan conversion, 34 ms on 1 and 2 threads).
// This turns that silent slowdown into a compile error.
#pragma once

#include <ATen/Parallel.h>

#if AT_PARALLEL_OPENMP && !defined(_OPENMP)
#error "at::parallel_for would run on one thread here: compile this file with -fopenmp (pevlm_openmp_sources)"
#endif
