# The shared Qwen decoder (models/llm/): its variants (q/k/v bias, q/k RMSNorm, interleaved M-RoPE) and
# the rope-kind checks, on random weights. Parity with transformers is the families' golden tests.
pevlm_add_test(llm_variants_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/llm_variants_test.cpp
  DEPS pevlm_llm pevlm_methods pevlm_attention
  LABELS qwen_llm llm)
pevlm_use_torch_pch(llm_variants_test)
