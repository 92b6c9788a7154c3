# Decode-side acceleration on the Qwen2.5-VL LLM: Sparse-to-Dense self-speculation (StD) with top-K
# selection at prefill (pevlm_qwen_std; decoders/ names and configures it).
pevlm_add_library(pevlm_qwen_std
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/speculative_std.cpp
  DEPS pevlm_llm pevlm_methods pevlm_attention pevlm::torch)
pevlm_use_torch_pch(pevlm_qwen_std)

# Speculative decoding with a draft model: vanilla and ParallelVLM (UV-Prune of the draft's video
# tokens, concurrent prefill, parallel windows) (pevlm_qwen_draft; decoders/ names and configures it).
pevlm_add_library(pevlm_qwen_draft
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/uv_prune.cpp ${CMAKE_CURRENT_LIST_DIR}/speculative_draft.cpp
          ${CMAKE_CURRENT_LIST_DIR}/speculative_prefill.cpp
  DEPS pevlm_llm pevlm_methods pevlm_attention pevlm::torch Threads::Threads)
pevlm_use_torch_pch(pevlm_qwen_draft)
