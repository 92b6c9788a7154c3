# Qwen2.5-VL preprocessing, vision tower and M-RoPE index (pevlm_qwen_vision): one executable.
# Golden tests read ../shared/golden/qwen2_5_vl_tiny and skip when it is absent.
if(TARGET pevlm_qwen_vision AND TARGET pevlm_qwen_config AND TARGET pevlm_safetensors_torch)
  pevlm_add_test(qwen_vision_test
    SOURCES qwen_preprocess_test.cpp qwen_rope_index_test.cpp qwen_vision_layout_test.cpp qwen_vision_test.cpp
    DEPS pevlm_qwen_vision pevlm_qwen_config pevlm_safetensors_torch
    LABELS qwen_vision)
  pevlm_use_torch_pch(qwen_vision_test)
endif()
