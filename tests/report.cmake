# Reports and the latency simulator (harness/report, harness/simulate): torch-free.
include(${PROJECT_SOURCE_DIR}/harness/report/report.cmake)
pevlm_add_test(report_tests
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/report_caps_test.cpp ${CMAKE_CURRENT_SOURCE_DIR}/report_golden_test.cpp
          ${CMAKE_CURRENT_SOURCE_DIR}/report_plot_test.cpp
          ${CMAKE_CURRENT_SOURCE_DIR}/report_position_test.cpp ${CMAKE_CURRENT_SOURCE_DIR}/report_stats_test.cpp
          ${CMAKE_CURRENT_SOURCE_DIR}/report_protocol_test.cpp
  DEPS pevlm_report
  LABELS report)

include(${PROJECT_SOURCE_DIR}/harness/simulate/simulate.cmake)
pevlm_add_test(simulate_tests
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/simulate_cost_test.cpp ${CMAKE_CURRENT_SOURCE_DIR}/simulate_profile_test.cpp
  DEPS pevlm_simulate
  LABELS report)
