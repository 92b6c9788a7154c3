# Qwen3-VL (models/qwen3_vl): config, vision tower + DeepStack, positions and prompt against the
# transformers golden in tests/data/golden/qwen3_vl_tiny (fp32, max-abs <= 1e-4).
if(TARGET pevlm_qwen3_vl_vision)
  pevlm_add_test(qwen3_vl_vision_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/qwen3_vl_vision_test.cpp ${CMAKE_CURRENT_LIST_DIR}/qwen3_vl_preprocess_test.cpp
    DEPS pevlm_qwen3_vl_vision pevlm_qwen3_vl_config pevlm_safetensors_torch nlohmann_json::nlohmann_json
    LABELS qwen3_vl golden)
  pevlm_use_torch_pch(qwen3_vl_vision_test)
endif()
if(TARGET pevlm_qwen3_vl_prompt)
  pevlm_add_test(qwen3_vl_prompt_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/qwen3_vl_prompt_test.cpp
    DEPS pevlm_qwen3_vl_prompt pevlm_safetensors_torch
    LABELS qwen3_vl golden)
  pevlm_use_torch_pch(qwen3_vl_prompt_test)
endif()
if(TARGET pevlm_qwen3_vl_llm)
  pevlm_add_test(qwen3_vl_llm_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/qwen3_vl_llm_test.cpp
    DEPS pevlm_qwen3_vl_llm pevlm_qwen3_vl_vision pevlm_qwen3_vl_prompt pevlm_methods pevlm_attention pevlm_safetensors_torch
    LABELS qwen3_vl golden)
  pevlm_use_torch_pch(qwen3_vl_llm_test)
endif()
if(TARGET pevlm_eval AND PEVLM_WITH_FFMPEG)
  # make-tiny-model --family qwen3_vl, eval with every method, generate on an mp4, analyze.
  pevlm_add_test(qwen3_vl_e2e_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/qwen3_vl_e2e_test.cpp DEPS pevlm_results
                 LABELS qwen3_vl e2e)
  target_compile_definitions(qwen3_vl_e2e_test PRIVATE PEVLM_BIN="$<TARGET_FILE:pevlm>")
  add_dependencies(qwen3_vl_e2e_test pevlm)
endif()
