#!/usr/bin/env bash
# Run ON THE GPU MACHINE after build.sh: the GPU tests (must PASS there, not SKIP), then
# `pevlm speed` with the CUDA executors on the Figure 4 config. Writes results/gpu/ and, when the
# device tool's $OUT is set, packs it into $OUT/results_gpu.tgz (one file comes back).
# Usage: scripts/device/run_speed.sh [CONFIG]   (default configs/paper/fig4_speed.yaml)
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
config="${1:-configs/paper/fig4_speed.yaml}"
results="$root/results/gpu"
mkdir -p "$results"
cd "$root"
nvidia-smi > "$results/nvidia-smi.txt" 2>&1
status=0
for t in cuda_sink_block_test cuda_executor_test batched_executor_test attention_test; do
  echo "[run] $t"
  "$build/tests/$t" --gtest_output="json:$results/$t.json" > "$results/$t.log" 2>&1 || status=1
  tail -3 "$results/$t.log"
  # A GPU test that skips here is a failure of this run: the device is present.
  if grep -q "SKIPPED" "$results/$t.log" && [[ $t == cuda_* ]]; then echo "[run] $t skipped on the GPU machine" >&2; status=1; fi
done
if [ -f "$config" ]; then
  for ex in cuda cuda_sink_kernel; do
    echo "[run] pevlm speed --config $config --set executor=$ex"
    "$build/bin/pevlm" speed --config "$config" --set executor=$ex --out "$results/speed-$ex" \
      > "$results/speed-$ex.log" 2>&1 || status=1
    tail -5 "$results/speed-$ex.log"
  done
else
  echo "[run] $config not found: speed run skipped" >&2
  status=1
fi
if [ -n "${OUT:-}" ]; then tar czf "$OUT/results_gpu.tgz" -C "$root/results" gpu; fi
exit $status
