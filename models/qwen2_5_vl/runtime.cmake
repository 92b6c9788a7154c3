# Qwen2.5-VL behind the VideoLM interface (runtime.*; its decoders and drafts through models/video_lm/
# decoded_answer.h, draft_models.h): pevlm_qwen_runtime. Constructed through models/video_lm/registry.h;
# links no harness library.
pevlm_add_library(pevlm_qwen_runtime
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/runtime.cpp
  DEPS pevlm_video_lm pevlm_qwen_config pevlm_qwen_vision pevlm_qwen_prompt pevlm_qwen_llm
       pevlm_tokenizer pevlm_safetensors_torch pevlm_decoders pevlm_methods pevlm_attention nlohmann_json::nlohmann_json
       pevlm::torch)
pevlm_use_torch_pch(pevlm_qwen_runtime)
