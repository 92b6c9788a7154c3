# The GPU path (issue 6): included once, from attention/CMakeLists.txt after pevlm_attention exists
# (tests/gpu.cmake includes it too when the lead's include is not there yet; the guard makes the
# second include a no-op).
#  - batched executor (device-agnostic ATen calls): compiled into pevlm_attention, every build;
#  - pevlm_cuda_kernels: the custom sink+block CUDA kernel, only when a CUDA compiler is found
#    (no torch in it); pevlm_cuda_compile_check builds just that library;
#  - cuda executor: only with -DPEVLM_CUDA=ON (a CUDA libtorch, find_package(Torch)).
get_property(_pevlm_gpu_done GLOBAL PROPERTY PEVLM_GPU_CMAKE_INCLUDED)
if(_pevlm_gpu_done)
  return()
endif()
set_property(GLOBAL PROPERTY PEVLM_GPU_CMAKE_INCLUDED ON)
set(_gpu_dir ${CMAKE_CURRENT_LIST_DIR})

target_sources(pevlm_attention PRIVATE
  ${_gpu_dir}/batched/batch_grouping.cpp ${_gpu_dir}/batched/sdpa_backend.cpp ${_gpu_dir}/batched/batched_executor.cpp
  ${_gpu_dir}/cuda/sink_kernel_scope.cpp)  # plain C++: the custom kernel's scope, tested on the CPU

# CUDA toolkit 13 lives in /usr/local/cuda on the project's machines (machine.md); nvcc is often not on PATH.
if(NOT DEFINED CMAKE_CUDA_COMPILER AND NOT DEFINED ENV{CUDACXX} AND EXISTS /usr/local/cuda/bin/nvcc)
  set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
endif()
option(PEVLM_CUDA_KERNELS "Build the custom CUDA kernels when a CUDA compiler is found" ON)
if(PEVLM_CUDA_KERNELS)
  include(CheckLanguage)
  check_language(CUDA)
endif()
if(PEVLM_CUDA_KERNELS AND CMAKE_CUDA_COMPILER)
  # H100 / H200 are sm_90; one architecture keeps nvcc fast. Set on the target: with PEVLM_CUDA the
  # torch config enables CUDA first and leaves CMAKE_CUDA_ARCHITECTURES at nvcc's default.
  set(PEVLM_CUDA_ARCH 90 CACHE STRING "CUDA architecture of the custom kernels (90 = H100/H200)")
  if(NOT CMAKE_CUDA_ARCHITECTURES)
    set(CMAKE_CUDA_ARCHITECTURES ${PEVLM_CUDA_ARCH})
  endif()
  enable_language(CUDA)
  find_package(CUDAToolkit REQUIRED)
  add_library(pevlm_cuda_kernels STATIC ${_gpu_dir}/cuda/sink_block_attention.cu)
  set_target_properties(pevlm_cuda_kernels PROPERTIES CUDA_STANDARD 17 CUDA_ARCHITECTURES ${PEVLM_CUDA_ARCH} CUDA_RUNTIME_LIBRARY Shared
                                                      POSITION_INDEPENDENT_CODE ON)
  target_compile_options(pevlm_cuda_kernels PRIVATE $<$<COMPILE_LANGUAGE:CUDA>:-O3 -lineinfo>)
  target_link_libraries(pevlm_cuda_kernels PUBLIC CUDA::cudart)
  add_custom_target(pevlm_cuda_compile_check DEPENDS pevlm_cuda_kernels
    COMMENT "pevlm_cuda_kernels compiled with ${CMAKE_CUDA_COMPILER} for sm_${PEVLM_CUDA_ARCH}")
  message(STATUS "pevlm-bench: CUDA kernels enabled (${CMAKE_CUDA_COMPILER}, sm_${PEVLM_CUDA_ARCH})")
else()
  message(STATUS "pevlm-bench: no CUDA compiler; custom CUDA kernels not built")
endif()

if(PEVLM_CUDA)
  target_sources(pevlm_attention PRIVATE ${_gpu_dir}/cuda/cuda_executor.cpp ${_gpu_dir}/cuda/cuda_device_timer.cpp)
  if(TARGET pevlm_cuda_kernels)
    target_link_libraries(pevlm_attention PUBLIC pevlm_cuda_kernels)
    target_compile_definitions(pevlm_attention PUBLIC PEVLM_WITH_SINK_BLOCK_KERNEL=1)
  endif()
endif()
