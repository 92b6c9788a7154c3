pevlm_add_test(harness_test SOURCES results_store_test.cpp provenance_test.cpp DEPS pevlm_results LABELS harness)
if(TARGET pevlm_eval AND PEVLM_WITH_FFMPEG)
  # End-to-end CLI tests: tiny model + synthetic dataset -> eval (errors, kill + resume, shards + merge), generate.
  pevlm_add_test(eval_e2e_test SOURCES eval_e2e_test.cpp DEPS pevlm_results LABELS harness e2e)
  target_compile_definitions(eval_e2e_test PRIVATE PEVLM_BIN="$<TARGET_FILE:pevlm>")
  add_dependencies(eval_e2e_test pevlm)
  # Eval over the real-world video corpus (scripts/make_video_corpus.sh) + faults while writing results.
  pevlm_add_test(eval_corpus_e2e_test SOURCES eval_corpus_e2e_test.cpp DEPS pevlm_results LABELS harness e2e video)
  target_compile_definitions(eval_corpus_e2e_test PRIVATE PEVLM_BIN="$<TARGET_FILE:pevlm>")
  add_dependencies(eval_corpus_e2e_test pevlm)
endif()
if(TARGET pevlm_eval)
  # The device-agnostic runtime on the CPU and PyTorch's meta device: placement, errors, exact chunking.
  pevlm_add_test(runtime_device_test SOURCES runtime_device_test.cpp DEPS pevlm_eval pevlm_qwen_runtime pevlm_qwen_tiny LABELS harness runtime)
  pevlm_use_torch_pch(runtime_device_test)
  # Golden parity on PEVLM_TEST_DEVICE (cpu here; scripts/device/check.sh runs it with cuda).
  pevlm_add_test(device_golden_test SOURCES device_golden_test.cpp DEPS pevlm_eval LABELS harness runtime golden)
  pevlm_use_torch_pch(device_golden_test)
endif()
if(TARGET pevlm_eval)
  # Several questions per video, one prefill (issue 24 item 7): prefix + suffix equals a whole prefill
  # (logits, answers) for every family, method and position policy.
  pevlm_add_test(prefix_reuse_test SOURCES prefix_reuse_test.cpp DEPS pevlm_eval pevlm_video_lm_registry LABELS harness runtime)
  pevlm_use_torch_pch(prefix_reuse_test)
endif()
if(TARGET pevlm_eval AND PEVLM_WITH_FFMPEG)
  # The data-writing subcommands' argument parsing (issue 23 item 3): make-tiny-model, make-synthetic-*.
  pevlm_add_test(make_commands_test SOURCES make_commands_test.cpp DEPS pevlm_eval LABELS harness)
  pevlm_use_torch_pch(make_commands_test)
endif()
