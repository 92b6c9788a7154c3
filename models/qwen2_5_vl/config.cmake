# Qwen2.5-VL config.json / preprocessor_config.json loading, validation, presets (torch-free).
pevlm_add_library(pevlm_qwen_config
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/config.cpp
          ${CMAKE_CURRENT_LIST_DIR}/config_defaults.cpp
          ${CMAKE_CURRENT_LIST_DIR}/config_validate.cpp
          ${CMAKE_CURRENT_LIST_DIR}/config_preset.cpp
          ${CMAKE_CURRENT_LIST_DIR}/config_preprocessor.cpp
  DEPS pevlm_llm_config nlohmann_json::nlohmann_json)
