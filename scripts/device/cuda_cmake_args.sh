# shellcheck shell=bash
# Sourced: the one CUDA configuration of the project, shared by the GPU machine's build (check.sh,
# build.sh) and CI's compile check (scripts/cuda-compile-check), so what CI compiles is what runs there.
#   pevlm_cuda_cmake_args TORCH_ROOT NVCC  -> fills the array `cuda_cmake_args`
# Full project (eval, speed with `model:`, tests), CUDA libtorch via the wheel's TorchConfig.cmake, no FFmpeg
# (the GPU machine cannot carry its runtime: frames come from a frames cache), no benchmarks.
# TORCH_CUDA_ARCH_LIST: without it TorchConfig try_runs a GPU probe, which on CMake 3.25 + nvcc 13 fails to
# configure ("CUDA20 dialect"); H100/H200 are sm_90, the only architecture compiled (keeps nvcc fast).
pevlm_cuda_cmake_args() {
  local torch_root=$1 nvcc=$2
  cuda_cmake_args=(-G Ninja -DCMAKE_BUILD_TYPE=Release
    -DPEVLM_CUDA=ON -DPEVLM_WITH_FFMPEG=OFF -DPEVLM_BUILD_BENCH=OFF
    -DPEVLM_TORCH_ROOT="$torch_root" -DTorch_DIR="$torch_root/share/cmake/Torch"
    -DTORCH_CUDA_ARCH_LIST=9.0 -DPEVLM_CUDA_ARCH=90 -DCMAKE_CUDA_COMPILER="$nvcc")
}
