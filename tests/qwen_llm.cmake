# Qwen2.5-VL language model: golden parity (transformers 4.50 fixtures), A1-A8 method logits,
# weight loading, KV cache, tiny checkpoint generator, and an opt-in prefill speed measurement.
pevlm_add_test(qwen_golden_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/qwen_golden_test.cpp
  DEPS pevlm_qwen_llm pevlm_methods pevlm_attention pevlm_safetensors_torch
  LABELS qwen_llm golden)
pevlm_use_torch_pch(qwen_golden_test)

pevlm_add_test(qwen_golden_methods_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/qwen_golden_methods_test.cpp
  DEPS pevlm_qwen_llm pevlm_methods pevlm_attention pevlm_safetensors_torch
  LABELS qwen_llm golden)
pevlm_use_torch_pch(qwen_golden_methods_test)

pevlm_add_test(qwen_llm_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/qwen_llm_test.cpp
  DEPS pevlm_qwen_llm pevlm_methods pevlm_attention pevlm_safetensors_torch nlohmann_json::nlohmann_json
  LABELS qwen_llm)
pevlm_use_torch_pch(qwen_llm_test)

pevlm_add_test(qwen_llm_tiny_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/qwen_llm_tiny_test.cpp
          ${CMAKE_CURRENT_LIST_DIR}/qwen_llm_speed_test.cpp
  DEPS pevlm_qwen_tiny pevlm_qwen_llm pevlm_qwen_vision pevlm_methods pevlm_attention pevlm_safetensors_torch
  LABELS qwen_llm)
pevlm_use_torch_pch(qwen_llm_tiny_test)

# Data-dependent methods end to end (issue 25): estimator masks per layer and logits vs transformers.
pevlm_add_test(qwen_sparse_prefill_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/qwen_sparse_prefill_test.cpp
  DEPS pevlm_qwen_llm pevlm_methods pevlm_attention pevlm_safetensors_torch
  LABELS qwen_llm golden)
pevlm_use_torch_pch(qwen_sparse_prefill_test)
