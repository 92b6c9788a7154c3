# The model interface and the families behind it (issue 12): family detection, LLaVA-Video and
# LongVILA parity against transformers (scripts/golden/make_*_golden.py fixtures).
pevlm_add_test(video_lm_family_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/video_lm_family_test.cpp
  DEPS pevlm_video_lm_family pevlm_video_lm pevlm_video_lm_registry
  LABELS video_lm)
pevlm_use_torch_pch(video_lm_family_test)

# Pillow-exact bicubic resize of the SigLIP families (torch-free; raw strided buffers).
pevlm_add_test(pil_resize_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/pil_resize_test.cpp
  DEPS pevlm_pil_resize pevlm_safetensors nlohmann_json::nlohmann_json
  LABELS video_lm golden)

pevlm_add_test(llava_video_golden_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/llava_video_golden_test.cpp
  DEPS pevlm_llava_video pevlm_methods pevlm_attention pevlm_safetensors_torch pevlm_tokenizer
  LABELS video_lm golden)
pevlm_use_torch_pch(llava_video_golden_test)

# VILA's frame sampling (config fps > 0 / = 0) against the reference's index computation; torch-free.
pevlm_add_test(longvila_sampling_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/longvila_sampling_test.cpp
  DEPS pevlm_longvila_sampling nlohmann_json::nlohmann_json
  LABELS video_lm)

# Each family's prompt against transformers' render of its checkpoint's chat template.
pevlm_add_test(chat_template_family_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/chat_template_family_test.cpp
  DEPS pevlm_qwen_runtime pevlm_qwen_tiny pevlm_llava_video pevlm_longvila pevlm_attention pevlm_tokenizer
  LABELS video_lm golden)
pevlm_use_torch_pch(chat_template_family_test)

pevlm_add_test(longvila_golden_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/longvila_golden_test.cpp
  DEPS pevlm_longvila pevlm_methods pevlm_attention pevlm_safetensors_torch pevlm_tokenizer
  LABELS video_lm golden)
pevlm_use_torch_pch(longvila_golden_test)

if(TARGET pevlm_eval AND PEVLM_WITH_FFMPEG)
  # make-tiny-model --family, eval with every method on the synthetic dataset, generate on an mp4.
  pevlm_add_test(video_lm_e2e_test SOURCES video_lm_e2e_test.cpp DEPS pevlm_results pevlm_lvb pevlm_longvila_sampling
                 LABELS video_lm e2e)
  target_compile_definitions(video_lm_e2e_test PRIVATE PEVLM_BIN="$<TARGET_FILE:pevlm>")
  add_dependencies(video_lm_e2e_test pevlm)
endif()
