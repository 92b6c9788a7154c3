# Reports from result rows (torch-free): accuracy tables, latency caps, sweeps, Figure 4, clustered intervals,
# paired tests against full attention, accuracy vs prefill (stats.cpp: the numeric unit).
# Included by harness/CMakeLists.txt (include(${CMAKE_CURRENT_SOURCE_DIR}/report/report.cmake)),
# and by tests/report.cmake when the harness does not include it yet.
if(NOT TARGET pevlm_report)
  pevlm_add_library(pevlm_report
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/results_io.cpp ${CMAKE_CURRENT_LIST_DIR}/accuracy.cpp
            ${CMAKE_CURRENT_LIST_DIR}/latency_caps.cpp ${CMAKE_CURRENT_LIST_DIR}/report_tables.cpp
            ${CMAKE_CURRENT_LIST_DIR}/report_builder.cpp ${CMAKE_CURRENT_LIST_DIR}/report_command.cpp
            ${CMAKE_CURRENT_LIST_DIR}/paper_numbers.cpp ${CMAKE_CURRENT_LIST_DIR}/position_bins.cpp
            ${CMAKE_CURRENT_LIST_DIR}/stats.cpp ${CMAKE_CURRENT_LIST_DIR}/clustered_accuracy.cpp
            ${CMAKE_CURRENT_LIST_DIR}/paired_comparison.cpp ${CMAKE_CURRENT_LIST_DIR}/pareto.cpp
            ${CMAKE_CURRENT_LIST_DIR}/benchmark_metrics.cpp
            ${CMAKE_CURRENT_LIST_DIR}/protocol_check.cpp
    DEPS pevlm_harness_core nlohmann_json::nlohmann_json)
endif()
