#!/usr/bin/env bash
# Run ON THE GPU MACHINE: configures build-cuda/ exactly as check.sh does (cuda_cmake_args.sh: the whole
# project with CUDA libtorch, no FFmpeg, no benchmarks, sm_90) and builds the given targets (default: pevlm
# and the GPU test binaries), ninja -k 0 so one broken target does not stop the others. For interactive
# use; check.sh / run_speed.sh configure and build by themselves. The build is NOT core-only: `pevlm speed`
# with `model:` (configs/paper/fig4_speed.yaml) and `pevlm eval` need models/.
#   scripts/device/build.sh [TARGET...]        (PEVLM_CMAKE_ARGS: extra configure arguments)
set -euo pipefail
dir="$(dirname "${BASH_SOURCE[0]}")"
source "$dir/env.sh"
source "$dir/cuda_cmake_args.sh"
pevlm_cuda_cmake_args "$torch_root" "$nvcc"
echo "[build] torch $("$python" -c 'import torch; print(torch.__version__, torch.version.cuda)') at $torch_root; nvcc $nvcc"
# shellcheck disable=SC2086
cmake -S "$root" -B "$build" "${cuda_cmake_args[@]}" -DCMAKE_PREFIX_PATH="$prefix/usr" \
  -DPKG_CONFIG_EXECUTABLE="$pkg_config" ${PEVLM_CMAKE_ARGS:-}
targets=("$@")
((${#targets[@]})) || targets=(pevlm device_golden_test runtime_device_test cuda_executor_test cuda_sink_block_test)
cmake --build "$build" -j "${PEVLM_JOBS:-$(nproc)}" --target "${targets[@]}" -- -k 0
echo "[build] done: $build (${targets[*]})"
