# LongVideoBench annotations, subtitles, protocols, answer parsing, accuracy (datasets/longvideobench).
pevlm_add_test(lvb_tests
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/lvb_annotations_test.cpp
          ${CMAKE_CURRENT_SOURCE_DIR}/lvb_subtitles_test.cpp
          ${CMAKE_CURRENT_SOURCE_DIR}/lvb_sampling_test.cpp
          ${CMAKE_CURRENT_SOURCE_DIR}/lvb_protocol_test.cpp
          ${CMAKE_CURRENT_SOURCE_DIR}/lvb_answer_test.cpp
          ${CMAKE_CURRENT_SOURCE_DIR}/lvb_accuracy_test.cpp
  DEPS pevlm_lvb
  LABELS lvb)

# The shared multiple-choice answer extractors and unparsed policy (datasets/answers), against the golden
# table of the reference extractors (tests/data/answers/extractor_golden.json).
pevlm_add_test(answers_tests
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/answers_extractor_test.cpp
  DEPS pevlm_answers nlohmann_json::nlohmann_json
  LABELS lvb)
