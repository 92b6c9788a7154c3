# cmake -DPEVLM_ROOT=<source dir> -P cmake/CheckIncludeDirections.cmake: the include-direction check of
# configure (pevlm_check_include_directions, cmake/PevlmHelpers.cmake) as a script, so ctest re-checks
# the tree as it is now (configure only sees the files of its time).
cmake_minimum_required(VERSION 3.20)
include(${CMAKE_CURRENT_LIST_DIR}/PevlmHelpers.cmake)
set(PROJECT_SOURCE_DIR ${PEVLM_ROOT})
pevlm_check_include_directions()
message(STATUS "pevlm-bench: include directions ok (models/llm/ includes no family; no family includes another's headers)")
