# The fused CPU attention kernel (issue 15). The online-softmax tile step is compiled once per ISA
# with ATen's CPU_CAPABILITY convention (so at::vec::Vectorized is 512/256-bit wide or scalar) and
# picked at run time; those three files get no precompiled header (their -m flags differ).
set(PEVLM_FUSED_ISA_SOURCES
  fused/tile_softmax_avx512.cpp fused/tile_softmax_avx2.cpp fused/tile_softmax_default.cpp)
set_source_files_properties(fused/tile_softmax_avx512.cpp PROPERTIES
  SKIP_PRECOMPILE_HEADERS ON
  COMPILE_OPTIONS "-mavx512f;-mavx512bw;-mavx512vl;-mavx512dq;-mfma;-O3;-Wno-maybe-uninitialized"
  COMPILE_DEFINITIONS "CPU_CAPABILITY=AVX512;CPU_CAPABILITY_AVX512")
set_source_files_properties(fused/tile_softmax_avx2.cpp PROPERTIES
  SKIP_PRECOMPILE_HEADERS ON
  COMPILE_OPTIONS "-mavx2;-mfma;-mf16c;-O3;-Wno-maybe-uninitialized"
  COMPILE_DEFINITIONS "CPU_CAPABILITY=AVX2;CPU_CAPABILITY_AVX2")
set_source_files_properties(fused/tile_softmax_default.cpp PROPERTIES
  SKIP_PRECOMPILE_HEADERS ON
  COMPILE_OPTIONS "-O3"
  COMPILE_DEFINITIONS "CPU_CAPABILITY=DEFAULT;CPU_CAPABILITY_DEFAULT")
# The thread splits (at::parallel_for: attention/parallel_for.h) of the kernel, the direct decode and the
# packing; the library links libgomp -- the soname libtorch itself loads, resolved through the same
# runpath to torch/lib's copy.
pevlm_openmp_sources(fused/fused_kernel.cpp fused/decode_direct.cpp fused/kv_pack.cpp)
# Our AMX micro-kernels for gathered sparse windows (amx_windows.h): only called where the CPU and
# Linux grant AMX (checked at run time), so the -m flags stay in this one file.
set_source_files_properties(fused/amx_windows.cpp PROPERTIES
  SKIP_PRECOMPILE_HEADERS ON
  COMPILE_OPTIONS "-mamx-tile;-mamx-bf16;-O3")
set(PEVLM_FUSED_SOURCES
  fused/fused_work.cpp fused/key_layout.cpp fused/key_windows.cpp fused/tile_gemm.cpp fused/kv_pack.cpp fused/decode_direct.cpp fused/tile_softmax_dispatch.cpp fused/fused_kernel.cpp
  fused/fused_executor.cpp fused/sparse_segments.cpp fused/amx_windows.cpp ${PEVLM_FUSED_ISA_SOURCES})
