# `pevlm analyze` (issue 13): attention mass per TokenLayout span through a recording executor,
# divergences from full attention, the sink chooser. Needs the eval runtime (models builds only).
pevlm_add_library(pevlm_analyze
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/analyze_config.cpp ${CMAKE_CURRENT_LIST_DIR}/mass_recorder.cpp
          ${CMAKE_CURRENT_LIST_DIR}/analysis_record.cpp ${CMAKE_CURRENT_LIST_DIR}/analysis_tables.cpp
          ${CMAKE_CURRENT_LIST_DIR}/sink_chooser.cpp ${CMAKE_CURRENT_LIST_DIR}/analyze_runner.cpp
          ${CMAKE_CURRENT_LIST_DIR}/analyze_output.cpp ${CMAKE_CURRENT_LIST_DIR}/analyze_command.cpp
  DEPS pevlm_eval pevlm_video_lm pevlm_harness_core pevlm_device pevlm_methods pevlm_attention pevlm_llm pevlm_video_lm_registry)
pevlm_use_torch_pch(pevlm_analyze)
