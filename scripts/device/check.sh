#!/usr/bin/env bash
# The GPU check in ONE device-tool call (procedure: scripts/device/README.md). Prepare here first with
# scripts/device/prepare_check.sh, then:
#   run(command="bash scripts/device/check.sh", carry=[".debs", ".device_data"], timeout_s=600)
# Steps (plan for 16 cores + one H100/H200; each capped so the whole script ends inside its budget,
# default 540 s, and the required steps after a slow one keep their minimum):
#   gpu-info   nvidia-smi, torch's GPU, the CPU and its matrix units
#   deps       the carried .debs unpacked (env.sh)
#   configure  CUDA libtorch, no FFmpeg, into build-cuda/ (cuda_cmake_args.sh: the configuration CI compiles)
#   build      pevlm + the GPU test binaries only, ninja -k 0
#   golden     golden parity on the GPU (device_golden_test, PEVLM_TEST_DEVICE=cuda)
#   gpu-tests  runtime_device_test, cuda_sink_block_test, cuda_executor_test (a cuda_* SKIP fails)
#   speed      Figure 4 at ~106k tokens: K=PEVLM_CHECK_SPEED_LAYERS (4) of 28 layers timed, scaled by 28/K
#   model      random weights at Qwen2.5-VL-7B dimensions (make-tiny-model --preset)
#   eval       one ~110k-token sample at 7B dimensions from the carried frames cache; FAILS on error rows
#   cpu-tests  (optional) the CPU executors on the lent host's CPU, independent of the GPU steps
# then, while time is left, the optional steps of check_extra.sh (PEVLM_CHECK_EXTRA=0: none).
# Everything lands in $OUT as it goes (check_lib.sh): check.log, steps.log, budget.tsv, results_gpu.tgz,
# eval_rows.jsonl, speed_rows.json(l). Exit 0 only if every required step passed.
#   scripts/device/check.sh --dry-run     (any machine: the flow, budget and $OUT, device steps skipped)
# Knobs: see check_lib.sh (PEVLM_CHECK_BUDGET_S, _DRY_RUN, _FAIL_STEP, _SKIP, _RESULTS) and check_steps.sh.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"
source "$check_dir/check_extra.sh"
check_init "check.sh" "$@"
steps="$check_dir/check_steps.sh"

#          name      kind     where plan need  what
plan_setup_steps
plan_step golden    required gpu    30  15 "golden parity on cuda: fp32 logits 1e-4, bf16 NMSE 1e-3, every method"
plan_step gpu-tests required gpu    30  15 "runtime placement, the custom sink kernel, the CUDA executors"
plan_step speed     required gpu    60  30 "pevlm speed, Figure 4 configs, ~106k tokens, ${PEVLM_CHECK_SPEED_LAYERS:-4} of 28 layers x 28/K"
plan_step model     required gpu    40  20 "make-tiny-model --preset qwen2.5-vl-7b (random weights, 7B dimensions)"
plan_step eval      required gpu    80  45 "eval of one ~110k-token sample, full + PEVLM sys+2f/16f; error rows fail"
plan_step cpu-tests optional build  40  20 "CPU executors (fused CPU kernel) on this host's CPU"
write_budget

run_setup_steps
run_step golden bash "$steps" golden
run_step gpu-tests bash "$steps" gpu-tests
run_step speed bash "$steps" speed
run_step model bash "$steps" model
run_step eval bash "$steps" eval
run_step cpu-tests bash "$steps" cpu-tests
if [ "${PEVLM_CHECK_EXTRA:-1}" = 1 ]; then
  run_extra_steps
fi
exit 0  # the EXIT trap (check_lib.sh) packs, prints the budget and decides the status
