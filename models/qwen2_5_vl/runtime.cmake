# Qwen2.5-VL behind the VideoLM interface (runtime.*) with its draft-model decoders (runtime_draft.*):
# pevlm_qwen_runtime. Constructed through models/video_lm/registry.h; links no harness library.
pevlm_add_library(pevlm_qwen_runtime
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/runtime.cpp ${CMAKE_CURRENT_LIST_DIR}/runtime_draft.cpp
  DEPS pevlm_video_lm pevlm_qwen_config pevlm_qwen_vision pevlm_qwen_prompt pevlm_qwen_llm pevlm_qwen_std pevlm_qwen_draft
       pevlm_tokenizer pevlm_safetensors_torch pevlm_decoders pevlm_methods pevlm_attention nlohmann_json::nlohmann_json
       pevlm::torch)
pevlm_use_torch_pch(pevlm_qwen_runtime)
