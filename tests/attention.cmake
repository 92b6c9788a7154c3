pevlm_add_test(attention_test SOURCES executor_test.cpp DEPS pevlm_attention LABELS attention)
pevlm_use_torch_pch(attention_test)
# The fused CPU kernel (attention/fused/): once with the GEMM path this CPU calibrates to, once with the
# bf16 VNNI brgemm path forced (the one AMX machines take), so both paths are tested on any machine.
pevlm_add_test(fused_executor_test SOURCES fused_executor_test.cpp DEPS pevlm_attention LABELS attention)
pevlm_use_torch_pch(fused_executor_test)
pevlm_add_test(fused_executor_vnni_test SOURCES fused_executor_test.cpp DEPS pevlm_attention LABELS attention)
target_compile_definitions(fused_executor_vnni_test PRIVATE PEVLM_TEST_FUSED_GEMM="bf16")
pevlm_use_torch_pch(fused_executor_vnni_test)
# One-head segments grouped per KV head (WorkItem::heads): coverage and same bits as heads alone, both paths.
pevlm_add_test(fused_head_groups_test SOURCES fused_head_groups_test.cpp DEPS pevlm_attention LABELS attention)
pevlm_use_torch_pch(fused_head_groups_test)
pevlm_add_test(fused_head_groups_vnni_test SOURCES fused_head_groups_test.cpp DEPS pevlm_attention LABELS attention)
target_compile_definitions(fused_head_groups_vnni_test PRIVATE PEVLM_TEST_FUSED_GEMM="bf16")
pevlm_use_torch_pch(fused_head_groups_vnni_test)
pevlm_add_test(fused_key_layout_test SOURCES fused_key_layout_test.cpp DEPS pevlm_attention LABELS attention)
pevlm_use_torch_pch(fused_key_layout_test)
# Key windows of the fused kernel: gathered ranges and columns, even VNNI starts, masked columns.
pevlm_add_test(fused_key_windows_test SOURCES fused_key_windows_test.cpp DEPS pevlm_attention LABELS attention)
# attention/span_mass (issue 13): per-span attention mass against the dense float64 reference.
pevlm_add_test(span_mass_test SOURCES span_mass_test.cpp DEPS pevlm_attention LABELS attention analyze)
pevlm_use_torch_pch(span_mass_test)
# attention/cpu_caps (issue 20): capability answers vs the hardware and the library switches, the GEMM-path rule.
pevlm_add_test(cpu_caps_test SOURCES cpu_caps_test.cpp DEPS pevlm_attention LABELS attention cpu_levels)
pevlm_use_torch_pch(cpu_caps_test)
# Per-head sparse plans and executors of the data-dependent methods (issue 25).
pevlm_add_test(sparse_plan_test SOURCES sparse_plan_test.cpp DEPS pevlm_attention LABELS attention methods)
pevlm_use_torch_pch(sparse_plan_test)
# Vertical-slash's plan conversion vs the reference kernel's loop; its bf16 products vs fp32.
pevlm_add_test(vertical_slash_plan_test SOURCES vertical_slash_plan_test.cpp DEPS pevlm_attention LABELS attention methods)
pevlm_use_torch_pch(vertical_slash_plan_test)
# The gather schedule the batched and cuda executors' sparse path runs, vs the dense per-head masks.
pevlm_add_test(sparse_gather_index_test SOURCES sparse_gather_index_test.cpp DEPS pevlm_attention LABELS attention methods)
if(TARGET pevlm_safetensors)
  # Estimator selections vs the reference repositories' code (scripts/golden/make_sparse_estimator_golden.py).
  pevlm_add_test(sparse_golden_test SOURCES sparse_golden_test.cpp DEPS pevlm_attention pevlm_safetensors LABELS attention methods golden)
  pevlm_use_torch_pch(sparse_golden_test)
endif()
# By hand only (DISABLED_): sparse prefill timing at 7B layer shape (PEVLM_SPARSE_SPEED_L).
pevlm_add_test(sparse_speed_test SOURCES sparse_speed_test.cpp DEPS pevlm_attention LABELS attention)
pevlm_use_torch_pch(sparse_speed_test)
# Our AMX PV micro-kernel for gathered sparse windows (issue 25) vs a float64 product; the on/off rule.
pevlm_add_test(amx_windows_test SOURCES amx_windows_test.cpp DEPS pevlm_attention LABELS attention)
pevlm_use_torch_pch(amx_windows_test)
