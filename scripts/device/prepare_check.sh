#!/usr/bin/env bash
# Run HERE (a machine with FFmpeg and apt) before scripts/device/check.sh: fetches the Debian packages the
# GPU build needs (.debs/, fetch_debs.sh) and writes .device_data/: one synthetic LongVideoBench sample of
# the 15-60-minute group (annotations + subtitles) and its 768 decoded frames in a frames cache
# (`pevlm eval --decode-only --frames-cache`), for configs/device/eval_7b_106k.yaml. Both folders are
# git-ignored; the device tool carries them (carry: [".debs", ".device_data"]; ~40 MiB of its 64), and
# .device_data/commit.txt (the commit result rows name on the GPU machine, where .git does not travel).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
pevlm="${PEVLM_BIN:-$root/build/bin/pevlm}"
[ -x "$pevlm" ] || { echo "prepare_check: build pevlm first (scripts/build)" >&2; exit 1; }
[ -d .debs ] && ls .debs/*.deb >/dev/null 2>&1 || scripts/device/fetch_debs.sh
rm -rf .device_data && mkdir -p .device_data
"$pevlm" make-synthetic-lvb .device_data/all --videos 4 --seed 7 >/dev/null
# Keep the first question of the longest video (duration group 3600), its video and subtitles.
python3 - <<'PY'
import json, os, shutil
src, dst = ".device_data/all", ".device_data/lvb"
rows = json.load(open(f"{src}/lvb_val.json"))
row = next(r for r in rows if r["duration_group"] == 3600)
os.makedirs(f"{dst}/videos"); os.makedirs(f"{dst}/subtitles")
json.dump([row], open(f"{dst}/lvb_val.json", "w"), indent=1)
shutil.copy(f"{src}/subtitles/{row['subtitle_path']}", f"{dst}/subtitles/")
shutil.copy(f"{src}/videos/{row['video_path']}", f"{dst}/videos/")
print(f"prepare_check: sample {row['id']}, {row['duration']:.0f} s")
PY
"$pevlm" eval --config configs/device/eval_7b_106k.yaml --device cpu --set executor=auto \
  --frames-cache .device_data/frames_cache --decode-only
rm -rf .device_data/all .device_data/lvb/videos  # the GPU side reads frames, never videos
# .git does not travel: the commit the result rows name (check.sh passes it to configure and the runs).
commit=$(git rev-parse --short=12 HEAD)
git diff --quiet HEAD -- . ':!results' 2>/dev/null || commit+="-dirty"
echo "$commit" > .device_data/commit.txt
echo "prepare_check: commit $commit"
du -sh .debs .device_data
