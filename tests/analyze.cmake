# pevlm analyze (issue 13): tables, sink chooser and configuration without a model; span masses
# against transformers' output_attentions on the tiny model; the CLI end to end.
if(TARGET pevlm_analyze)
  pevlm_add_test(analyze_test SOURCES analyze_test.cpp DEPS pevlm_analyze LABELS analyze)
  pevlm_use_torch_pch(analyze_test)
  pevlm_add_test(analyze_golden_test SOURCES analyze_golden_test.cpp
    DEPS pevlm_analyze pevlm_qwen_llm pevlm_methods pevlm_attention pevlm_safetensors_torch LABELS analyze golden)
  pevlm_use_torch_pch(analyze_golden_test)
  if(PEVLM_WITH_FFMPEG)
    pevlm_add_test(analyze_e2e_test SOURCES analyze_e2e_test.cpp DEPS nlohmann_json::nlohmann_json LABELS analyze e2e)
    target_compile_definitions(analyze_e2e_test PRIVATE PEVLM_BIN="$<TARGET_FILE:pevlm>")
    add_dependencies(analyze_e2e_test pevlm)
  endif()
endif()
