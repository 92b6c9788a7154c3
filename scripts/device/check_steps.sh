#!/usr/bin/env bash
# The bodies of check.sh's and check_extra.sh's steps, one per name: `check_steps.sh NAME`, run by
# run_step (check_lib.sh) under `timeout`, output into the step's log. Exit 0 = ok, 77 = skipped (last line
# says why), anything else = failed. Reads what check.sh exported: root, results, logs, build, python,
# torch_root, nvcc, prefix, pkg_config (from env.sh).
# Knobs: PEVLM_CHECK_SPEED_LAYERS (K of the model's 28 layers timed and scaled by 28/K; default 4),
# PEVLM_JOBS (build parallelism; default nproc), PEVLM_GIT_COMMIT (baked into result rows).
set -uo pipefail
name=${1:?step name}
cd "$root" || exit 1
speed_layers="${PEVLM_CHECK_SPEED_LAYERS:-4}"
pevlm="$build/bin/pevlm"

need_binary() {  # need_binary PATH: skip (77) naming the build log when the build did not produce it
  [ -x "$1" ] || { echo "not built: ${1#"$root"/} (the build step failed for it; see logs/build.log)"; exit 77; }
}

run_gtest() {  # run_gtest NAME [ENV=VALUE...]: one test binary, JSON + log in results, summary line here
  local t=$1
  shift
  need_binary "$build/tests/$t"
  env "$@" "$build/tests/$t" --gtest_output="json:$results/$t.json" > "$results/$t.log" 2>&1
  local rc=$?
  echo "  $t: exit $rc; $(grep -E '^\[  (PASSED|FAILED|SKIPPED) ' "$results/$t.log" | tr '\n' ' ')"
  if ((rc != 0)); then grep -E '^\[  FAILED  \]|Failure|error' "$results/$t.log" | head -20 | sed 's/^/    /'; fi
  # A CUDA test that skips on the GPU machine is a failure: the device is there.
  if [[ $t == cuda_* ]] && grep -q '^\[  SKIPPED \]' "$results/$t.log"; then
    echo "  $t: SKIPPED on the GPU machine:"; grep -A2 'SKIPPED' "$results/$t.log" | head -6 | sed 's/^/    /'; rc=1
  fi
  return $rc
}

build_targets() {  # build_targets TARGET...: -k 0 so one broken target does not stop the others
  local jobs="${PEVLM_JOBS:-$(nproc)}" rc own
  own=$(mktemp)
  cmake --build "$build" -j "$jobs" --target "$@" -- -k 0 2>&1 | tee "$own"
  rc=${PIPESTATUS[0]}
  if ((rc != 0)); then
    echo "[build] FAILED (exit $rc); the first errors:"
    grep -E '^FAILED:|error:|Error [0-9]' "$own" | head -40 | sed 's/^/    /'
  fi
  rm -f "$own"
  local t
  for t in "$@"; do
    if [ -x "$build/bin/$t" ] || [ -x "$build/tests/$t" ]; then echo "[build] built: $t"; else echo "[build] MISSING: $t"; fi
  done
  return $rc
}

case "$name" in
  gpu-info)
    # The machine: GPU (nvidia-smi, torch), CPU model and its matrix units (finding 5: the fused CPU
    # kernel's path depends on amx / avx512_bf16), disk and memory.
    nvidia-smi > "$results/nvidia-smi.txt" 2>&1 && head -15 "$results/nvidia-smi.txt" || echo "nvidia-smi: not available"
    "$python" - > "$results/torch.txt" 2>&1 <<'PY'
import torch
print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())
if torch.cuda.is_available():
    p = torch.cuda.get_device_properties(0)
    print("device", p.name, "sm_%d%d" % (p.major, p.minor), "memory_GiB %.1f" % (p.total_memory / 2**30), "count", torch.cuda.device_count())
PY
    cat "$results/torch.txt"
    { lscpu; echo; free -g; echo; df -h "$root" /tmp; } > "$results/host.txt" 2>&1
    echo "cpu: $(grep -m1 'Model name' "$results/host.txt" | sed 's/.*: *//'), $(nproc) cores; matrix units:" \
      "$(grep -m1 '^Flags' "$results/host.txt" | tr ' ' '\n' | grep -E '^(amx_bf16|amx_tile|avx512_bf16|avx512f|avx2)$' | tr '\n' ' ')"
    if grep -q "available True" "$results/torch.txt"; then echo 1 > "$results/gpu_present"; else echo 0 > "$results/gpu_present"; fi
    ;;

  deps)
    # Unpacks the carried .debs once (env.sh), so check.sh can source it quickly afterwards.
    source "$root/scripts/device/env.sh" || exit 1
    echo "deps: prefix $prefix, torch $torch_root, nvcc $nvcc ($("$nvcc" --version 2>/dev/null | tail -1))"
    ;;

  configure)
    source "$root/scripts/device/cuda_cmake_args.sh"
    pevlm_cuda_cmake_args "$torch_root" "$nvcc"
    commit_arg=()
    [ -n "${PEVLM_GIT_COMMIT:-}" ] && commit_arg=(-DPEVLM_GIT_COMMIT="$PEVLM_GIT_COMMIT")
    cmake -S "$root" -B "$build" "${cuda_cmake_args[@]}" "${commit_arg[@]}" \
      -DCMAKE_PREFIX_PATH="$prefix/usr" -DPKG_CONFIG_EXECUTABLE="$pkg_config"
    ;;

  build)
    # Only what check.sh runs; ninja -k 0 builds every target it can even after an error.
    build_targets pevlm device_golden_test runtime_device_test cuda_executor_test cuda_sink_block_test
    ;;

  golden)
    # Golden parity on the GPU: fp32 logits max-abs 1e-4, bf16 NMSE 1e-3, every method vs the dense reference.
    run_gtest device_golden_test PEVLM_TEST_DEVICE=cuda; rc=$?
    grep -h "device golden\]" "$results/device_golden_test.log" | head -20
    exit $rc
    ;;

  gpu-tests)
    rc=0
    for t in runtime_device_test cuda_sink_block_test cuda_executor_test; do run_gtest "$t" PEVLM_TEST_DEVICE=cuda || rc=1; done
    exit $rc
    ;;

  speed|speed-sink-kernel|speed-28)
    # Figure 4 at ~106k tokens (16 configurations): K of the 28 layers timed, scaled by 28/K (pevlm speed
    # prints the factor). PEVLM_CHECK_SPEED_CONFIG (run_speed.sh) times another config instead.
    need_binary "$pevlm"
    config="${PEVLM_CHECK_SPEED_CONFIG:-configs/paper/fig4_speed.yaml}"
    [ -f "$config" ] || { echo "speed: config $config not found"; exit 1; }
    min_rows=1
    [ "$config" = configs/paper/fig4_speed.yaml ] && min_rows=16
    layers=$speed_layers
    [ "$name" = speed-28 ] && layers=0
    sets=(--set repeats=2 --set warmup=1)
    grep -q '^model:' "$config" && sets+=(--set "layers=$layers")  # `layers:` exists only with `model:`
    dir=speed-cuda
    [ -z "${PEVLM_CHECK_SPEED_CONFIG:-}" ] && dir=fig4-cuda
    case "$name" in
      speed-sink-kernel) dir+=_sink_kernel; sets+=(--set executor=cuda_sink_kernel) ;;
      speed-28) dir+=-28layers ;;
    esac
    "$pevlm" speed --config "$config" --device cuda "${sets[@]}" --out "$results/$dir"; rc=$?
    "$python" "$root/scripts/device/check_rows.py" speed "$results/$dir" --min-rows "$min_rows" || rc=1
    exit $rc
    ;;

  speed-sparse|speed-reduction)
    # Issues 25 / 26 on CUDA (configs/device/speed_{sparse,reduction}_gpu.yaml): every row must carry no error.
    need_binary "$pevlm"
    config=configs/device/speed_${name#speed-}_gpu.yaml
    "$pevlm" speed --config "$config" --device cuda --out "$results/$name-cuda"; rc=$?
    "$python" "$root/scripts/device/check_rows.py" speed "$results/$name-cuda" --min-rows 2 || rc=1
    exit $rc
    ;;

  model)
    # Random weights at Qwen2.5-VL-7B dimensions; drawn on the GPU when make-tiny-model offers --device.
    need_binary "$pevlm"
    dir=.device_data/model-7b
    if [ -f "$dir/config.json" ]; then echo "model: $dir exists"; exit 0; fi
    dev=()
    "$pevlm" make-tiny-model --help 2>&1 | grep -q -- '--device' && dev=(--device cuda)
    "$pevlm" make-tiny-model "$dir" --preset qwen2.5-vl-7b --shard-mb 4096 "${dev[@]}" || { rm -rf "$dir"; exit 1; }
    du -sh "$dir"
    ;;

  eval)
    # One ~110k-token sample at 7B dimensions (full + PEVLM sys+2f/16f) from the carried frames cache; the
    # step fails if any row has an error (eval itself exits 0 with error rows).
    need_binary "$pevlm"
    [ -d .device_data/frames_cache ] || { echo "no .device_data/frames_cache: run scripts/device/prepare_check.sh here and carry .device_data"; exit 77; }
    [ -f .device_data/model-7b/config.json ] || { echo "no .device_data/model-7b (the model step failed)"; exit 77; }
    "$pevlm" eval --config configs/device/eval_7b_106k.yaml --frames-cache .device_data/frames_cache \
      --out "$results/eval-7b-106k" --no-resume; rc=$?
    "$python" "$root/scripts/device/check_rows.py" eval "$results/eval-7b-106k/results.jsonl" --min-rows 2 || rc=1
    exit $rc
    ;;

  cpu-tests)
    # CPU executors (the fused CPU kernel) on the lent host's CPU, whatever it is: independent of the GPU
    # steps, optional (its verdict is reported, not part of check.sh's).
    build_targets attention_test batched_executor_test || true
    rc=0
    for t in attention_test batched_executor_test; do run_gtest "$t" || rc=1; done
    exit $rc
    ;;

  *)
    echo "check_steps.sh: unknown step '$name'" >&2
    exit 2
    ;;
esac
