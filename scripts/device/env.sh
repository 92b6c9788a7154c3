# shellcheck shell=bash
# Sourced by build.sh and by check.sh (its deps step, then its shell) ON THE GPU MACHINE: unpacks the carried Debian packages
# (.debs/, from fetch_debs.sh) into a prefix once, points pkg-config, CMake and the loader at it,
# and finds the machine's PyTorch. Variables: PEVLM_DEB_PREFIX (default /tmp/pevlm-debs),
# PEVLM_PYTHON (default python3, the interpreter that holds torch there).
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
prefix="${PEVLM_DEB_PREFIX:-/tmp/pevlm-debs}"
build="${PEVLM_GPU_BUILD:-$root/build-cuda}"
python="${PEVLM_PYTHON:-python3}"
if [ ! -f "$prefix/.unpacked" ]; then
  ls "$root"/.debs/*.deb >/dev/null 2>&1 || { echo "env.sh: no .debs/*.deb: run scripts/device/fetch_debs.sh here and carry .debs" >&2; return 1 2>/dev/null || exit 1; }
  mkdir -p "$prefix"
  for f in "$root"/.debs/*.deb; do dpkg -x "$f" "$prefix"; done
  # .pc files name /usr absolutely: relocate them into the prefix.
  find "$prefix" -name '*.pc' -exec sed -i "s#=/usr\\b#=$prefix/usr#g" {} +
  touch "$prefix/.unpacked"
fi
export PKG_CONFIG_PATH="$prefix/usr/lib/x86_64-linux-gnu/pkgconfig:$prefix/usr/share/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export LD_LIBRARY_PATH="$prefix/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
pkg_config="$(command -v pkg-config || true)"
[ -n "$pkg_config" ] || pkg_config="$prefix/usr/bin/pkgconf"
torch_root="$("$python" -c "import os, torch; print(os.path.dirname(torch.__file__))")" || { echo "env.sh: $python has no torch (set PEVLM_PYTHON)" >&2; return 1 2>/dev/null || exit 1; }
nvcc="$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)"
