# Small helpers so each folder states only its sources and dependencies.

# pevlm_add_library(NAME SOURCES ... [DEPS ...]) -> static library NAME.
function(pevlm_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  target_compile_options(${name} PRIVATE -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers)
endfunction()

# pevlm_add_test(NAME SOURCES ... [DEPS ...] [LABELS ...]) -> GoogleTest executable, each TEST
# registered with ctest (gtest_discover_tests) so failures are reported per case.
function(pevlm_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    PEVLM_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    PEVLM_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 120 PROPERTIES LABELS "${ARG_LABELS}")
endfunction()

# Torch-using targets share one precompiled header (ATen is ~14 s per translation unit otherwise).
function(pevlm_use_torch_pch target)
  target_precompile_headers(${target} REUSE_FROM pevlm_torch_pch)
endfunction()
