# Config files as transformers writes them (issue 20): every family's config reader against folders written by
# transformers' save_pretrained (scripts/golden/make_config_fixtures.py, run by the test with the .venv Python).
pevlm_add_test(config_defaults_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/config_defaults_test.cpp
  DEPS pevlm_llava_video pevlm_longvila pevlm_qwen_config nlohmann_json::nlohmann_json
  LABELS config golden)
pevlm_use_torch_pch(config_defaults_test)

# Tiny checkpoints that the original loaders accept (issue 20): make-tiny-model's folders of every family checked
# with transformers / the original loaders' keys (scripts/golden/check_tiny_loaders.py, .venv Python).
pevlm_add_test(tiny_loaders_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tiny_loaders_test.cpp
  DEPS pevlm_qwen_tiny pevlm_llava_video pevlm_longvila pevlm_qwen3_vl_model pevlm_tokenizer nlohmann_json::nlohmann_json
  LABELS config tiny)
pevlm_use_torch_pch(tiny_loaders_test)
