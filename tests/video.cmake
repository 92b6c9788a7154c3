# datasets/video (FFmpeg probe/decode/encode, prefetcher) and datasets/synthetic (synthetic
# LongVideoBench generator). Tests write their videos into a temporary folder; the ones that need the
# `ffmpeg` command line (audio-only file, mkv remux) skip when it is absent.
pevlm_add_test(video_tests
  SOURCES
    ${CMAKE_CURRENT_SOURCE_DIR}/video_reader_test.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/video_errors_test.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/video_prefetcher_test.cpp
  DEPS pevlm_video pevlm_synthetic
  LABELS video)
# The real-world corpus (scripts/make_video_corpus.sh, generated at test time) against the ffmpeg CLI.
pevlm_add_test(video_corpus_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/video_corpus_test.cpp
  DEPS pevlm_video
  LABELS video)
pevlm_add_test(synthetic_tests
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/synthetic_lvb_test.cpp
  DEPS pevlm_synthetic pevlm_video nlohmann_json::nlohmann_json
  LABELS video)
# Timing of 32-frame and 2-fps extraction from a 10-minute video vs the ffmpeg CLI (not run by ctest's
# default label set: it takes ~1 min). Run: build/tests/video_perf_test --gtest_also_run_disabled_tests
pevlm_add_test(video_perf_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/video_perf_test.cpp
  DEPS pevlm_video pevlm_synthetic
  LABELS video_perf)
