#!/usr/bin/env bash
# Run ON THE GPU MACHINE (one device call, carry [".debs"]): check.sh's setup (configure + build, the full
# CUDA build, so `model:` configs work), the GPU tests, then `pevlm speed --device cuda` of CONFIG, K of
# its model's layers (PEVLM_CHECK_SPEED_LAYERS, default 4) timed and scaled; the golden parity, the
# 7B model and the eval are left out (PEVLM_CHECK_SKIP). Same budget, logs and $OUT files as check.sh.
#   scripts/device/run_speed.sh [CONFIG]     (default configs/paper/fig4_speed.yaml)
dir="$(dirname "${BASH_SOURCE[0]}")"
[ $# -le 1 ] || { echo "usage: run_speed.sh [CONFIG]" >&2; exit 2; }
[ -z "${1:-}" ] || export PEVLM_CHECK_SPEED_CONFIG="$1"
export PEVLM_CHECK_SKIP="${PEVLM_CHECK_SKIP:-golden,model,eval}"
exec bash "$dir/check.sh"
