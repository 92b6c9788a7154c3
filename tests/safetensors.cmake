# safetensors reader/writer/checkpoint tests (torch-free) and the ATen bridge tests.
pevlm_add_test(safetensors_test
  SOURCES safetensors_test.cpp safetensors_checkpoint_test.cpp hub_cache_test.cpp
  DEPS pevlm_safetensors nlohmann_json::nlohmann_json
  LABELS safetensors)
pevlm_add_test(safetensors_torch_test
  SOURCES safetensors_torch_test.cpp
  DEPS pevlm_safetensors_torch
  LABELS safetensors)
pevlm_use_torch_pch(safetensors_torch_test)
