# Token reduction (issue 26): reduced layouts, FastV selection, matched-token baselines, the registry
# (reduction_test); FastV's real subset inside the LLM against the masked emulation (reduction_llm_test).
pevlm_add_test(reduction_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/reduction_test.cpp
  DEPS pevlm_reduction pevlm_methods
  LABELS reduction)
pevlm_use_torch_pch(reduction_test)

pevlm_add_test(reduction_llm_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/reduction_llm_test.cpp
  DEPS pevlm_reduction pevlm_qwen_tiny pevlm_llm pevlm_methods pevlm_attention
  LABELS reduction qwen_llm)
pevlm_use_torch_pch(reduction_llm_test)

if(TARGET pevlm_eval AND PEVLM_WITH_FFMPEG)
  # `pevlm eval` with reduction x {full, pevlm} on the tiny Qwen2.5-VL and LLaVA-Video models.
  pevlm_add_test(reduction_eval_e2e_test SOURCES reduction_eval_e2e_test.cpp DEPS pevlm_results LABELS reduction e2e)
  target_compile_definitions(reduction_eval_e2e_test PRIVATE PEVLM_BIN="$<TARGET_FILE:pevlm>")
  add_dependencies(reduction_eval_e2e_test pevlm)
endif()

# FastV against its reference run in transformers on the golden tiny fixture (scripts/golden/make_fastv_golden.py).
pevlm_add_test(reduction_golden_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/reduction_golden_test.cpp
  DEPS pevlm_reduction pevlm_qwen_llm pevlm_methods pevlm_attention pevlm_safetensors_torch
  LABELS reduction golden)
pevlm_use_torch_pch(reduction_golden_test)

if(NOT PEVLM_CORE_ONLY)
  # `pevlm speed` rows under a reduction (two FastV phases, FLOP-ratio limits) on the tiny model's dimensions.
  pevlm_add_test(reduction_speed_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/reduction_speed_test.cpp
    DEPS pevlm_speed pevlm_speed_llm pevlm_qwen_tiny pevlm_qwen_config nlohmann_json::nlohmann_json
    LABELS reduction speed)
  pevlm_use_torch_pch(reduction_speed_test)
endif()

if(TARGET pevlm_report)
  # The report's "vs full" table and Table 1 with token-reduced rows.
  pevlm_add_test(reduction_report_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/reduction_report_test.cpp DEPS pevlm_report
                 LABELS reduction report)
endif()

# FastVID's budgets by hand and its selection + merge against the reference's branches
# (scripts/golden/make_fastvid_golden.py).
pevlm_add_test(fastvid_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/fastvid_test.cpp
  DEPS pevlm_reduction pevlm_safetensors_torch
  LABELS reduction golden)
pevlm_use_torch_pch(fastvid_test)

# FastVID's LLaVA-Video signals: the SigLIP release's pooling head against transformers (the golden case
# llava_tiny_head of scripts/golden/make_fastvid_golden.py), from pixels through the stage, and the load errors.
pevlm_add_test(fastvid_llava_signals_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/fastvid_llava_signals_test.cpp
  DEPS pevlm_llava_video pevlm_reduction pevlm_methods pevlm_attention pevlm_safetensors_torch pevlm_tokenizer
  LABELS reduction golden)
pevlm_use_torch_pch(fastvid_llava_signals_test)
