#!/usr/bin/env bash
# Usage: results/cpu/prefix-reuse-2026-12-07-amx/run.sh [WORKDIR]   (after scripts/build; issue 24 item 7)
# Prefix reuse wall time per question: tiny Qwen2.5-VL (fp32, 1 thread), synthetic Video-MME (6 videos x 3 questions),
# official prompt with frame-aligned subtitles, up to 64 frames (max_pixels 100352); full + pevlm; with and without reuse.
# Prints eval wall time, identical answers, and the prefill each question actually computed (prefix once + suffix).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"; B=$root/build/bin/pevlm; D=${1:-/tmp/pevlm_prefix_reuse}; mkdir -p $D
cd "$root"
[ -d $D/model ] || $B make-tiny-model $D/model --seed 3 --dtype f32 >/dev/null
[ -d $D/data ] || $B make-synthetic-dataset --format videomme $D/data --videos 6 --seed 5 >/dev/null
cat > $D/eval.yaml <<YAML
model: $D/model
dataset: {benchmark: videomme, root: $D/data}
protocol: {name: official_sub, max_num_frames: 64, min_pixels: 3136, max_pixels: 100352}
dtype: fp32
threads: 1
methods:
  - {name: full}
  - {name: pevlm, sink_frames: 2, block_frames: 2}
YAML
for mode in reuse noreuse; do
  rm -rf $D/out-$mode
  extra=""; [ $mode = noreuse ] && extra="--no-prefix-reuse"
  s=$(date +%s.%N)
  $B eval --config $D/eval.yaml --out $D/out-$mode $extra > $D/$mode.log 2>&1
  e=$(date +%s.%N)
  echo "$mode wall $(echo "$e - $s" | bc) s"
done
"$root"/.venv/bin/python - <<PY
import json
def rows(m): return [json.loads(l) for l in open(f"$D/out-{m}/results.jsonl")]
a, b = rows("reuse"), rows("noreuse")
key = lambda r: r["key"]
A = {key(r): r for r in a}; Bm = {key(r): r for r in b}
same = sum(A[k]["response"] == Bm[k]["response"] for k in A)
print("rows", len(a), len(b), "identical responses", same)
for lab in sorted({r["label"] for r in a}):
    for m, R in (("reuse", a), ("noreuse", b)):
        rr = [r for r in R if r["label"] == lab and not r.get("error")]
        pa = sum(r["timings_ms"]["prefill_attention"] + r["timings_ms"]["prefill_other"] for r in rr) / len(rr)
        comp = [r["prefix_reuse"] for r in rr]
        reused = sum(c.get("reused", False) for c in comp)
        comp_ms = sum((0 if c.get("reused") else c["prefix_ms"]["attention"] + c["prefix_ms"]["other"]) + c["suffix_ms"]["attention"] + c["suffix_ms"]["other"] for c in comp) / len(rr) if m == "reuse" else pa
        print(lab, m, "n", len(rr), "prefix tokens", sorted({c.get("prefix_tokens") for c in comp}), "reused", reused, "prefill ms/q (whole-prompt figures)", round(pa, 1), "computed ms/q", round(comp_ms, 1), "suffix tokens", sorted({c.get("suffix_tokens") for c in comp}))
PY
