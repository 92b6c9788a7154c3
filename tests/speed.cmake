# pevlm speed: configuration keys and whole-LLM prefill timing (needs models/, so not in core-only builds).
if(NOT PEVLM_CORE_ONLY)
  pevlm_add_test(speed_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/speed_test.cpp
    DEPS pevlm_speed pevlm_speed_llm pevlm_qwen_tiny pevlm_qwen_config nlohmann_json::nlohmann_json
    LABELS speed)
  pevlm_use_torch_pch(speed_test)
endif()
