# Qwen2.5-VL language model (decoder, M-RoPE, weights, KV cache, generation): pevlm_qwen_llm.
# Attention runs through the AttentionPlan executors (pevlm_attention). Targets of models/safetensors
# and models/tokenizer are declared after this folder; links resolve at generate time.
pevlm_add_library(pevlm_qwen_llm
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/weights_llm.cpp
          ${CMAKE_CURRENT_LIST_DIR}/llm_rope.cpp
          ${CMAKE_CURRENT_LIST_DIR}/llm.cpp
          ${CMAKE_CURRENT_LIST_DIR}/llm_session.cpp
          ${CMAKE_CURRENT_LIST_DIR}/llm_prefix.cpp
  DEPS pevlm_qwen_config pevlm_safetensors_torch pevlm_methods pevlm_attention pevlm::torch)
pevlm_use_torch_pch(pevlm_qwen_llm)

# Tiny random checkpoint generator (pevlm make-tiny-model): weight tables of the LLM and the
# vision tower, the tiny tokenizer writer, config.json writing.
pevlm_add_library(pevlm_qwen_tiny
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tiny_model.cpp
  DEPS pevlm_qwen_llm pevlm_qwen_vision pevlm_tokenizer pevlm_qwen_config pevlm_safetensors_torch pevlm_video_lm
       nlohmann_json::nlohmann_json pevlm::torch)
pevlm_use_torch_pch(pevlm_qwen_tiny)
