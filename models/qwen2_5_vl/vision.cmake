# Qwen2.5-VL preprocessing, vision tower and M-RoPE index: pevlm_qwen_vision.
# Uses only the inline parts of config.h (structs) and methods/token_layout.h (PositionIds), so it
# does not link pevlm_qwen_config / pevlm_methods. pevlm_safetensors_torch and pevlm_vision_frames (the
# resampler and patch flattening shared with Qwen3-VL) are declared in models/safetensors and
# models/vision_common (processed after this folder; CMake resolves the name at generate time).
pevlm_add_library(pevlm_qwen_vision
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/preprocess.cpp
          ${CMAKE_CURRENT_LIST_DIR}/vision_layout.cpp
          ${CMAKE_CURRENT_LIST_DIR}/rope_index.cpp
          ${CMAKE_CURRENT_LIST_DIR}/weights_vision.cpp
          ${CMAKE_CURRENT_LIST_DIR}/vision.cpp
          ${CMAKE_CURRENT_LIST_DIR}/fastvid_saliency.cpp
  DEPS pevlm_vision_frames pevlm_safetensors_torch pevlm::torch)
pevlm_use_torch_pch(pevlm_qwen_vision)
