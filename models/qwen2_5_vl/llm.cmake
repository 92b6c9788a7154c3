# Qwen2.5-VL's language model from its folder (config.json + checkpoint) on the shared decoder of
# models/llm/ (pevlm_llm): pevlm_qwen_llm.
pevlm_add_library(pevlm_qwen_llm
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/llm_load.cpp
  DEPS pevlm_llm pevlm_qwen_config pevlm_safetensors_torch pevlm::torch)
pevlm_use_torch_pch(pevlm_qwen_llm)

# Tiny random checkpoint generator (pevlm make-tiny-model): weight tables of the LLM and the
# vision tower, the tiny tokenizer writer, config.json writing.
pevlm_add_library(pevlm_qwen_tiny
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tiny_model.cpp
  DEPS pevlm_qwen_llm pevlm_qwen_vision pevlm_tokenizer pevlm_qwen_config pevlm_safetensors_torch pevlm_video_lm
       nlohmann_json::nlohmann_json pevlm::torch)
pevlm_use_torch_pch(pevlm_qwen_tiny)
