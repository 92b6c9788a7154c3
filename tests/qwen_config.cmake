# Qwen2.5-VL config.json / preprocessor_config.json loading, validation and presets (torch-free).
pevlm_add_test(qwen_config_test
  SOURCES qwen_config_test.cpp qwen_config_validation_test.cpp qwen_config_preprocessor_test.cpp
  DEPS pevlm_qwen_config nlohmann_json::nlohmann_json
  LABELS qwen_config)
