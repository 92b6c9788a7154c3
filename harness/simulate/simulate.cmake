# The latency simulator (torch-free): device profiles, roofline cost model, simulate command.
# Included by harness/CMakeLists.txt after report.cmake, and by tests/report.cmake until then.
include(${CMAKE_CURRENT_LIST_DIR}/../report/report.cmake)
if(NOT TARGET pevlm_simulate)
  pevlm_add_library(pevlm_simulate
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/device_profile.cpp ${CMAKE_CURRENT_LIST_DIR}/cost_model.cpp
            ${CMAKE_CURRENT_LIST_DIR}/simulate.cpp ${CMAKE_CURRENT_LIST_DIR}/paper_check.cpp
            ${CMAKE_CURRENT_LIST_DIR}/simulate_command.cpp
    DEPS pevlm_report pevlm_methods pevlm_harness_core)
endif()
