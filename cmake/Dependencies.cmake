# Every dependency is found here; a missing one stops configure naming the package that provides it.
# scripts/setup installs all of them (Debian packages + torch into the project .venv).

function(pevlm_require found what package)
  if(NOT ${found})
    message(FATAL_ERROR "pevlm-bench: ${what} not found. Install it with: ${package}  (or run scripts/setup)")
  endif()
endfunction()

find_package(PkgConfig)
pevlm_require(PKG_CONFIG_FOUND "pkg-config" "apt-get install pkg-config")

# --- libtorch: from PyPI's torch wheel in .venv (DESIGN.md, dependencies). ---
# The CPU build links libtorch_cpu + libc10 directly: no CUDA toolkit needed at configure time.
# PEVLM_CUDA=ON uses the wheel's TorchConfig.cmake (CUDA) instead (GPU issue).
# PEVLM_FUZZ builds (clang + sanitizers) cover only torch-free libraries: libtorch is not searched.
if(NOT PEVLM_FUZZ)
  if(NOT PEVLM_TORCH_ROOT)
    set(_venv_python ${CMAKE_CURRENT_SOURCE_DIR}/.venv/bin/python)
    if(EXISTS ${_venv_python})
      execute_process(COMMAND ${_venv_python} -c "import torch, os; print(os.path.dirname(torch.__file__))"
                      OUTPUT_VARIABLE PEVLM_TORCH_ROOT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    endif()
  endif()
  if(NOT PEVLM_TORCH_ROOT OR NOT EXISTS ${PEVLM_TORCH_ROOT}/lib/libtorch_cpu.so)
    message(FATAL_ERROR "pevlm-bench: libtorch not found (looked for torch in ${CMAKE_CURRENT_SOURCE_DIR}/.venv). "
                        "Install it with: python3 -m venv .venv && .venv/bin/pip install torch==2.11.0  (or run scripts/setup), "
                        "or pass -DPEVLM_TORCH_ROOT=/path/to/site-packages/torch")
  endif()
  set(PEVLM_TORCH_ROOT ${PEVLM_TORCH_ROOT} CACHE PATH "torch package folder (contains lib/ and include/)")
  if(PEVLM_CUDA)
    # Without an explicit list the wheel's config probes the (absent) GPU; H100/H200 are sm_90.
    if(NOT TORCH_CUDA_ARCH_LIST)
      set(TORCH_CUDA_ARCH_LIST "9.0" CACHE STRING "CUDA architectures for the torch build flags")
    endif()
    find_package(Torch REQUIRED PATHS ${PEVLM_TORCH_ROOT}/share/cmake/Torch NO_DEFAULT_PATH)
    add_library(pevlm_torch INTERFACE)
    target_link_libraries(pevlm_torch INTERFACE ${TORCH_LIBRARIES})
    target_compile_definitions(pevlm_torch INTERFACE PEVLM_WITH_CUDA=1)
  else()
    add_library(pevlm_torch INTERFACE)
    target_include_directories(pevlm_torch SYSTEM INTERFACE
      ${PEVLM_TORCH_ROOT}/include ${PEVLM_TORCH_ROOT}/include/torch/csrc/api/include)
    target_link_libraries(pevlm_torch INTERFACE
      ${PEVLM_TORCH_ROOT}/lib/libtorch_cpu.so ${PEVLM_TORCH_ROOT}/lib/libc10.so)
    target_link_options(pevlm_torch INTERFACE "-Wl,-rpath,${PEVLM_TORCH_ROOT}/lib")
  endif()
  add_library(pevlm::torch ALIAS pevlm_torch)
  execute_process(COMMAND cat ${PEVLM_TORCH_ROOT}/version.py OUTPUT_VARIABLE _tv ERROR_QUIET)
  string(REGEX MATCH "__version__ = '([^']+)'" _m "${_tv}")
  set(PEVLM_TORCH_VERSION "${CMAKE_MATCH_1}")
  message(STATUS "pevlm-bench: libtorch ${PEVLM_TORCH_VERSION} from ${PEVLM_TORCH_ROOT}")

  # One precompiled ATen header shared by every torch-using target.
  file(WRITE ${CMAKE_BINARY_DIR}/pevlm_torch_pch.cpp "// precompiled ATen header carrier\n")
  add_library(pevlm_torch_pch STATIC ${CMAKE_BINARY_DIR}/pevlm_torch_pch.cpp)
  target_link_libraries(pevlm_torch_pch PUBLIC pevlm::torch)
  target_precompile_headers(pevlm_torch_pch PUBLIC <ATen/ATen.h> <vector> <string> <memory>)
  if(PEVLM_SANITIZE_COMPILE_OPTIONS AND NOT PEVLM_SANITIZE_TARGETS STREQUAL "all")  # cmake/Sanitize.cmake
    add_library(pevlm_torch_pch_san STATIC ${CMAKE_BINARY_DIR}/pevlm_torch_pch.cpp)
    target_link_libraries(pevlm_torch_pch_san PUBLIC pevlm::torch)
    target_compile_options(pevlm_torch_pch_san PRIVATE ${PEVLM_SANITIZE_COMPILE_OPTIONS})
    target_precompile_headers(pevlm_torch_pch_san PUBLIC <ATen/ATen.h> <vector> <string> <memory>)
  endif()
endif()

# --- Debian packages ---
find_package(nlohmann_json 3 QUIET)
pevlm_require(nlohmann_json_FOUND "nlohmann-json" "apt-get install nlohmann-json3-dev")
find_package(yaml-cpp QUIET)
pevlm_require(yaml-cpp_FOUND "yaml-cpp" "apt-get install libyaml-cpp-dev")
find_package(fmt QUIET)
pevlm_require(fmt_FOUND "fmt" "apt-get install libfmt-dev")
pkg_check_modules(PCRE2 QUIET IMPORTED_TARGET libpcre2-8)
pevlm_require(PCRE2_FOUND "PCRE2" "apt-get install libpcre2-dev")
# PEVLM_WITH_FFMPEG=OFF (GPU nodes where FFmpeg cannot be installed, scripts/device/): datasets/video
# builds a stub whose calls raise VideoError, and `pevlm eval --frames-cache DIR` reads frames decoded
# elsewhere. The video tests need FFmpeg and are left out.
option(PEVLM_WITH_FFMPEG "Decode videos with FFmpeg (OFF: frames only from a --frames-cache)" ON)
if(PEVLM_WITH_FFMPEG)
  pkg_check_modules(FFMPEG QUIET IMPORTED_TARGET libavformat libavcodec libswscale libavutil)
  pevlm_require(FFMPEG_FOUND "FFmpeg libraries" "apt-get install libavformat-dev libavcodec-dev libswscale-dev libavutil-dev")
endif()
if(PEVLM_BUILD_TESTS)
  find_package(GTest QUIET)
  pevlm_require(GTest_FOUND "GoogleTest" "apt-get install libgtest-dev")
endif()
if(PEVLM_BUILD_BENCH)
  find_package(benchmark QUIET)
  pevlm_require(benchmark_FOUND "Google Benchmark" "apt-get install libbenchmark-dev")
endif()
find_package(Threads REQUIRED)
