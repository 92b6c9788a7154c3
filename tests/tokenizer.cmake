# Tokenizer (models/tokenizer): pre-tokeniser, BPE, special tokens, real Qwen2 vocabulary cases,
# tokenizer.json loading and errors, tiny writer, Qwen chat prompts, checkpoint chat templates (SHA-256,
# lookup, recognition). ctest names start with Tokenizer or ChatTemplate.
pevlm_add_test(tokenizer_tests
  SOURCES
    ${CMAKE_CURRENT_SOURCE_DIR}/tokenizer_core_test.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/tokenizer_qwen_test.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/tokenizer_json_test.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/tokenizer_chat_test.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/chat_template_test.cpp
  DEPS pevlm_tokenizer nlohmann_json::nlohmann_json
  LABELS tokenizer)
