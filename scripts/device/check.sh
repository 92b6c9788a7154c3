#!/usr/bin/env bash
# Run ON THE GPU MACHINE (one device-tool call; prepare here first with scripts/device/prepare_check.sh):
#   run(command="bash scripts/device/check.sh", carry=[".debs", ".device_data"], timeout_s=600)
# In one go (target: under 8 minutes on 16 cores + one H100/H200, build included):
#   1. a full CUDA build without FFmpeg (-DPEVLM_CUDA=ON -DPEVLM_WITH_FFMPEG=OFF) into build-cuda/;
#   2. golden parity on the GPU (device_golden_test with PEVLM_TEST_DEVICE=cuda: fp32 logits max-abs 1e-4,
#      bf16 NMSE 1e-3, every method vs the dense reference), the runtime and executor tests, the CUDA tests;
#   3. `pevlm speed` at ~106k tokens, 28 layers, 7B dimensions, bf16, random weights: the Figure 4 configs;
#   4. an eval of one sample at 7B dimensions (random weights, make-tiny-model --preset) and ~110k tokens
#      from the carried frames cache: per-stage device times and peak memory per row;
# and packs results/gpu/ (logs, gtest JSON, speed tables, eval rows, nvidia-smi) into $OUT/results_gpu.tgz.
# A phase that fails is recorded and the rest still run; the exit status says whether all passed.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$root"
results="$root/results/gpu"
mkdir -p "$results"
status=0
t0=$SECONDS
step() { echo "[check] $(( SECONDS - t0 )) s: $*"; }
nvidia-smi > "$results/nvidia-smi.txt" 2>&1
"$python" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.get_device_name(0))' \
  > "$results/torch.txt" 2>&1

step "configure + build (CUDA, no FFmpeg)"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DPEVLM_CUDA=ON -DPEVLM_WITH_FFMPEG=OFF -DPEVLM_BUILD_BENCH=OFF \
  -DPEVLM_TORCH_ROOT="$torch_root" -DTorch_DIR="$torch_root/share/cmake/Torch" \
  -DTORCH_CUDA_ARCH_LIST=9.0 -DPEVLM_CUDA_ARCH=90 -DCMAKE_CUDA_COMPILER="$nvcc" \
  -DCMAKE_PREFIX_PATH="$prefix/usr" -DPKG_CONFIG_EXECUTABLE="$pkg_config" > "$results/configure.log" 2>&1 || status=1
cmake --build "$build" -j "$(nproc)" --target pevlm device_golden_test runtime_device_test attention_test \
  batched_executor_test cuda_executor_test cuda_sink_block_test > "$results/build.log" 2>&1 || { tail -30 "$results/build.log"; exit 1; }

step "GPU tests"
for t in device_golden_test runtime_device_test cuda_sink_block_test cuda_executor_test batched_executor_test attention_test; do
  PEVLM_TEST_DEVICE=cuda "$build/tests/$t" --gtest_output="json:$results/$t.json" > "$results/$t.log" 2>&1 || status=1
  echo "  $t: $(grep -E '^\[  (PASSED|FAILED) ' "$results/$t.log" | tr '\n' ' ')"
  # A CUDA test that skips here is a failure: the device is present.
  if [[ $t == cuda_* ]] && grep -q "SKIPPED" "$results/$t.log"; then echo "  $t skipped on the GPU machine" >&2; status=1; fi
done
grep -h "device golden\]" "$results/device_golden_test.log" | head -20

step "pevlm speed, Figure 4 at ~106k tokens, all 28 layers"
"$build/bin/pevlm" speed --config configs/paper/fig4_speed.yaml --device cuda --set repeats=2 --set warmup=1 \
  --out "$results/fig4-cuda" > "$results/fig4-cuda.log" 2>&1 || status=1
tail -25 "$results/fig4-cuda.log"

step "eval: 7B dimensions, random weights, ~110k tokens"
if [ -d .device_data/frames_cache ]; then
  [ -f .device_data/model-7b/config.json ] ||
    "$build/bin/pevlm" make-tiny-model .device_data/model-7b --preset qwen2.5-vl-7b --shard-mb 4096 > "$results/model.log" 2>&1 || status=1
  "$build/bin/pevlm" eval --config configs/device/eval_7b_106k.yaml --frames-cache .device_data/frames_cache \
    --out "$results/eval-7b-106k" > "$results/eval-7b-106k.log" 2>&1 || status=1
  tail -5 "$results/eval-7b-106k.log"
  "$python" - "$results/eval-7b-106k/results.jsonl" <<'PY' || status=1
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(f"  {r['label']}: tokens {r.get('tokens', {}).get('total')}, timings ms {r.get('timings_ms')}, memory {r.get('memory')}, "
          f"model_load {r.get('model_load')}, error {r['error']}")
PY
else
  echo "  no .device_data/frames_cache: run scripts/device/prepare_check.sh on the build machine and carry .device_data" >&2
  status=1
fi
step "done (status $status)"
if [ -n "${OUT:-}" ]; then tar czf "$OUT/results_gpu.tgz" -C "$root/results" gpu; fi
exit $status
