#!/usr/bin/env bash
# Run ON THE GPU MACHINE (through the device tool, see README.md): configures the CUDA build
# (-DPEVLM_CUDA=ON: the machine's PyTorch 2.11 + CUDA 13 via its TorchConfig.cmake; core-only:
# methods, attention, harness `pevlm speed` and their tests, which need no FFmpeg runtime) into
# build-cuda/ and builds the GPU targets. Extra args go to the cmake configure step.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
echo "[build] torch $("$python" -c 'import torch; print(torch.__version__, torch.version.cuda)') at $torch_root; nvcc $nvcc"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DPEVLM_CUDA=ON -DPEVLM_CORE_ONLY=ON -DPEVLM_BUILD_BENCH=OFF \
  -DPEVLM_TORCH_ROOT="$torch_root" -DTorch_DIR="$torch_root/share/cmake/Torch" \
  -DTORCH_CUDA_ARCH_LIST=9.0 -DPEVLM_CUDA_ARCH=90 -DCMAKE_CUDA_COMPILER="$nvcc" \
  -DCMAKE_PREFIX_PATH="$prefix/usr" -DPKG_CONFIG_EXECUTABLE="$pkg_config" "$@"
# TORCH_CUDA_ARCH_LIST: without it TorchConfig try_runs a GPU probe (and on CMake 3.25 fails with
# "CUDA20 dialect" on the build machines); the H100/H200 are sm_90.
cmake --build "$build" -j "$(nproc)" --target pevlm attention_test batched_executor_test cuda_sink_block_test cuda_executor_test
echo "[build] done: $build"
