#!/usr/bin/env bash
# Run HERE (Debian 12 build machine, which has apt): downloads the Debian packages that the C++
# build needs on the GPU machine into .debs/ (the GPU machine has no apt and no network): what the
# CUDA build of check.sh (cuda_cmake_args.sh: whole project, PEVLM_WITH_FFMPEG=OFF) compiles or links
# against. FFmpeg is not configured there (its runtime closure is ~200 packages, far over the 64 MiB the
# device tool carries): frames come from a frames cache decoded here (prepare_check.sh).
# Usage: scripts/device/fetch_debs.sh            (then see scripts/device/README.md)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dest="$root/.debs"
packages=(
  # linked: yaml-cpp and fmt (headers + shared libraries), GoogleTest/GoogleMock (static)
  libyaml-cpp-dev libyaml-cpp0.7 libfmt-dev libfmt9 libgtest-dev libgmock-dev googletest
  # header-only
  nlohmann-json3-dev
  # the tokenizer links PCRE2 and utf8proc
  libpcre2-dev libpcre2-8-0 libutf8proc-dev libutf8proc2
  # pkg-config itself (CMake's FindPkgConfig needs the binary)
  pkgconf pkgconf-bin libpkgconf3
)
mkdir -p "$dest"
# .debs/ must stay out of git: .gitignore lists /.debs/ (then the device tool needs it in `carry`).
if ! git -C "$root" check-ignore -q "$dest" 2>/dev/null; then
  echo "fetch_debs: warning: .debs/ is not ignored by git; add '/.debs/' to .gitignore so it is never committed" >&2
fi
cd "$dest"
apt-get download "${packages[@]}"
echo "fetch_debs: $(ls "$dest"/*.deb | wc -l) packages, $(du -sh "$dest" | cut -f1) in $dest"
