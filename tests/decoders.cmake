# Decoders (decoders/: std_decode.*, draft_decode.*, ...): StD lossless invariants on a random-weight
# tiny LLM in fp32, the registry and the timing model; and `pevlm eval` with the caption protocol and
# the std decoder end to end.
pevlm_add_test(decoder_std_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/decoder_std_test.cpp
  DEPS pevlm_decoder_loops pevlm_decoders pevlm_qwen_tiny pevlm_qwen_llm pevlm_methods pevlm_attention
  LABELS decoders)
pevlm_use_torch_pch(decoder_std_test)
if(TARGET pevlm_eval AND PEVLM_WITH_FFMPEG)
  pevlm_add_test(decoder_eval_e2e_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/decoder_eval_e2e_test.cpp
    DEPS pevlm_results LABELS decoders e2e)
  target_compile_definitions(decoder_eval_e2e_test PRIVATE PEVLM_BIN="$<TARGET_FILE:pevlm>")
  add_dependencies(decoder_eval_e2e_test pevlm)
endif()
# Draft-model decoders (vanilla speculative, ParallelVLM: UV-Prune, pair prefill, parallel windows).
pevlm_add_test(decoder_draft_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/decoder_draft_test.cpp
  DEPS pevlm_decoder_loops pevlm_decoders pevlm_qwen_tiny pevlm_qwen_llm pevlm_methods pevlm_attention
  LABELS decoders)
pevlm_use_torch_pch(decoder_draft_test)
# Every decoder on every family (issue 23): StD and the draft-model decoders give the greedy tokens on the
# tiny checkpoints of qwen2_5_vl, llava_video and longvila (a draft: the same family, other weights).
pevlm_add_test(decoder_family_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/decoder_family_test.cpp
  DEPS pevlm_video_lm_registry pevlm_video_lm pevlm_decoders pevlm_methods pevlm_attention
  LABELS decoders)
pevlm_use_torch_pch(decoder_family_test)
