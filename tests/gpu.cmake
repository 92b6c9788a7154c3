# GPU-path tests (issue 6). The batched executor runs on CPU here and is compared with the dense
# reference; the CUDA tests build whenever the CUDA kernels do and GTEST_SKIP without a device.
# Until attention/CMakeLists.txt includes attention/gpu.cmake itself, include it from here (no-op after).
include(${PROJECT_SOURCE_DIR}/attention/gpu.cmake)

pevlm_add_test(batched_executor_test SOURCES batched_executor_test.cpp batched_grouping_test.cpp
  DEPS pevlm_attention LABELS attention gpu)
pevlm_use_torch_pch(batched_executor_test)
# The custom CUDA kernel's scope (which plans it takes), plain C++: every build, no GPU.
pevlm_add_test(sink_kernel_scope_test SOURCES sink_kernel_scope_test.cpp DEPS pevlm_attention LABELS attention gpu)

if(TARGET pevlm_cuda_kernels)
  pevlm_add_test(cuda_sink_block_test SOURCES cuda_sink_block_test.cpp
    DEPS pevlm_attention pevlm_cuda_kernels LABELS gpu cuda)
  pevlm_use_torch_pch(cuda_sink_block_test)
endif()
if(PEVLM_CUDA)
  pevlm_add_test(cuda_executor_test SOURCES cuda_executor_test.cpp DEPS pevlm_attention LABELS gpu cuda)
  pevlm_use_torch_pch(cuda_executor_test)
endif()
