if(TARGET pevlm_safetensors)
  pevlm_add_test(methods_golden_test SOURCES methods_golden_test.cpp DEPS pevlm_methods pevlm_safetensors LABELS methods golden)
endif()
