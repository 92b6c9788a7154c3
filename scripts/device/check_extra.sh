#!/usr/bin/env bash
# What does not fit check.sh's one call: optional steps, each started only if its planned time fits what
# is left of the budget (check_lib.sh). Two ways to run it:
#   - check.sh runs them at its end, on its deadline (PEVLM_CHECK_EXTRA=0 turns that off);
#   - alone, in a second device call (same carry as check.sh; it configures and builds first):
#       run(command="bash scripts/device/check_extra.sh", carry=[".debs", ".device_data"], timeout_s=600)
# Steps:
#   speed-sink-kernel  Figure 4 with executor cuda_sink_kernel (the custom kernel), K of 28 layers
#   speed-28           Figure 4 with all 28 layers timed (no scaling), repeats 2: the paper's setting
#   speed-sparse       issue 25: XAttention / vertical-slash / forced density on CUDA at 32k and ~106k, one layer
#   speed-reduction    issue 26: FastV, FastVID and the matched-token baselines + LLM prefill at ~106k, 4 of 28 layers
# Results: results/gpu/fig4-cuda_sink_kernel/, results/gpu/fig4-cuda-28layers/, results/gpu/speed-sparse-cuda/,
# results/gpu/speed-reduction-cuda/ (inside results_gpu.tgz).

run_extra_steps() {
  local steps="$check_dir/check_steps.sh"
  plan_step speed-sink-kernel optional gpu 60 30 "pevlm speed, Figure 4, executor cuda_sink_kernel, K of 28 layers"
  plan_step speed-sparse optional gpu 90 45 "pevlm speed, sparse prefill (XAttention, vertical-slash), 32k + ~106k"
  plan_step speed-reduction optional gpu 120 60 "pevlm speed, reductions + LLM prefill, ~106k, 4 of 28 layers"
  plan_step speed-28 optional gpu 330 200 "pevlm speed, Figure 4, all 28 layers timed"
  write_budget
  run_step speed-sink-kernel bash "$steps" speed-sink-kernel
  run_step speed-sparse bash "$steps" speed-sparse
  run_step speed-reduction bash "$steps" speed-reduction
  run_step speed-28 bash "$steps" speed-28
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -uo pipefail
  source "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"
  check_init "check_extra.sh" "$@"
  plan_setup_steps
  write_budget
  run_setup_steps
  run_extra_steps
  exit 0
fi
