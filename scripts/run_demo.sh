#!/usr/bin/env bash
# The demo's steps with an already built pevlm (scripts/demo builds first; tests/demo.cmake runs a
# shortened form in CI):  scripts/run_demo.sh PEVLM_BIN OUT_DIR
#   1. a tiny random Qwen2.5-VL checkpoint + a synthetic LongVideoBench dataset (real H.264 videos), when absent;
#   2. pevlm eval of configs/demo.yaml (five methods + a PEVLM sink/block sweep), then the same for a tiny
#      LLaVA-Video and a tiny LongVILA (every family behind the model interface; PEVLM_DEMO_FAMILY_LIMIT
#      samples each, default 4; their reports are in eval-llava_video/ and eval-longvila/);
#      then Video-MME (3 synthetic videos, configs/demo-videomme.yaml: official prompt, frame-aligned
#      subtitles, PEVLM_DEMO_LIMIT questions, default 9; its report is in eval-videomme/);
#   3. an attention-only speed table at the Qwen2.5-VL-7B layer shape (configs/speed-demo.yaml);
#   4. pevlm report (accuracy, latency caps, sweep, speed, accuracy by position) + plots;
#   5. pevlm analyze (configs/analyze-demo.yaml): attention mass per span, divergence from full
#      attention, suggested sink, Figure-1 plots (scripts/plot_analysis.py).
# Environment: PEVLM_DEMO_LIMIT (samples), PEVLM_DEMO_VIDEOS (videos generated, default 8),
# PEVLM_DEMO_SPEED_TOKENS (one length instead of the config's, 1 repeat).
set -euo pipefail
pevlm=${1:?pevlm binary}
out=${2:?output folder}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$out"
[ -f "$out/tiny-model/config.json" ] || "$pevlm" make-tiny-model "$out/tiny-model" --seed 0
[ -f "$out/lvb/lvb_val.json" ] || "$pevlm" make-synthetic-lvb "$out/lvb" --videos "${PEVLM_DEMO_VIDEOS:-8}" --seed 0
echo "== pevlm eval: tiny Qwen2.5-VL on synthetic LongVideoBench (configs/demo.yaml) =="
args=(--set "model=$out/tiny-model" --set "dataset={root: $out/lvb, split: val}")
[ -n "${PEVLM_DEMO_LIMIT:-}" ] && args+=(--limit "$PEVLM_DEMO_LIMIT")
"$pevlm" eval --config "$root/configs/demo.yaml" --out "$out/eval" "${args[@]}"
for family in llava_video longvila; do
  echo "== pevlm eval: tiny $family on synthetic LongVideoBench (configs/demo.yaml, ${PEVLM_DEMO_FAMILY_LIMIT:-4} samples) =="
  [ -f "$out/tiny-$family/config.json" ] || "$pevlm" make-tiny-model "$out/tiny-$family" --family "$family" --seed 0
  "$pevlm" eval --config "$root/configs/demo.yaml" --out "$out/eval-$family" --set "model=$out/tiny-$family" \
    --set "dataset={root: $out/lvb, split: val}" --limit "${PEVLM_DEMO_FAMILY_LIMIT:-4}"
  "$pevlm" report "$out/eval-$family" >/dev/null
done
echo "== pevlm eval: tiny Qwen2.5-VL on synthetic Video-MME, frame-aligned subtitles (configs/demo-videomme.yaml) =="
[ -f "$out/videomme/videomme.jsonl" ] || "$pevlm" make-synthetic-dataset --format videomme "$out/videomme" \
  --videos 3 --seed 0
vmme_args=(--set "model=$out/tiny-model" --set "dataset={benchmark: videomme, root: $out/videomme}"
           --limit "${PEVLM_DEMO_LIMIT:-9}")
"$pevlm" eval --config "$root/configs/demo-videomme.yaml" --out "$out/eval-videomme" "${vmme_args[@]}"
"$pevlm" report "$out/eval-videomme" >/dev/null
echo "== pevlm speed: attention only, Qwen2.5-VL-7B layer shape (configs/speed-demo.yaml) =="
speed_args=()
if [ -n "${PEVLM_DEMO_SPEED_TOKENS:-}" ]; then
  speed_args=(--set "layout={system_tokens: 20, tokens_per_frame: 256, question_tokens: 60, tokens: [$PEVLM_DEMO_SPEED_TOKENS]}"
              --set repeats=1 --set warmup=0)
fi
"$pevlm" speed --config "$root/configs/speed-demo.yaml" --out "$out/speed" "${speed_args[@]}" | tail -n +8
echo "== pevlm report =="
# The tiny model answers in ~0.1 s, so the demo's latency caps are fractions of a second.
report=("$pevlm" report "$out/eval" --caps 0.05,0.1,0.2 --speed "$out/speed/speed.json")
"${report[@]}"
if /usr/bin/python3 -c "import matplotlib" 2>/dev/null; then
  /usr/bin/python3 "$root/scripts/plot.py" "$out/eval" --speed "$out/speed/speed.json" --pevlm "$pevlm" && "${report[@]}" >/dev/null
fi
echo "== pevlm analyze: where attention goes (configs/analyze-demo.yaml) =="
analyze_args=(--set "model=$out/tiny-model" --set "dataset={root: $out/lvb, split: val}" --limit "${PEVLM_DEMO_LIMIT:-4}")
"$pevlm" analyze --config "$root/configs/analyze-demo.yaml" --out "$out/analyze" "${analyze_args[@]}" --suggest-sink
if /usr/bin/python3 -c "import matplotlib" 2>/dev/null; then
  /usr/bin/python3 "$root/scripts/plot_analysis.py" "$out/analyze"
fi
