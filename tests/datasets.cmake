# The dataset interface and the benchmarks behind it (issue 24): SRT subtitles and Video-MME's cue
# choices (torch-free, no FFmpeg), then every loader on its synthetic set (needs the synthetic writer).
pevlm_add_test(datasets_srt_tests
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/datasets_srt_test.cpp
  DEPS pevlm_videomme nlohmann_json::nlohmann_json
  LABELS lvb datasets)
pevlm_add_test(datasets_cards_tests
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/datasets_cards_test.cpp
  DEPS pevlm_protocol_cards
  LABELS lvb datasets)
if(NOT PEVLM_WITH_FFMPEG)
  return()  # the synthetic sets are real encoded videos
endif()
pevlm_add_test(datasets_loader_tests
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/datasets_loader_test.cpp
  DEPS pevlm_datasets pevlm_synthetic pevlm_video
  LABELS lvb datasets)
if(TARGET pevlm_eval AND TARGET pevlm_report)
  # pevlm eval + pevlm report on each synthetic benchmark with the paper's methods (tiny model).
  pevlm_add_test(datasets_e2e_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/datasets_e2e_test.cpp DEPS pevlm_results LABELS harness e2e datasets)
  target_compile_definitions(datasets_e2e_test PRIVATE PEVLM_BIN="$<TARGET_FILE:pevlm>")
  add_dependencies(datasets_e2e_test pevlm)
endif()
