# Prompt assembly (chat template + TokenLayout + M-RoPE ids): pevlm_qwen_prompt.
pevlm_add_library(pevlm_qwen_prompt
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/prompt.cpp
  DEPS pevlm_qwen_vision pevlm_qwen_config pevlm_tokenizer pevlm_methods pevlm::torch)
pevlm_use_torch_pch(pevlm_qwen_prompt)
