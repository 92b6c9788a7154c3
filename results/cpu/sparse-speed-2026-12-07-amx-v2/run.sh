#!/usr/bin/env bash
# Issue 25 item 7 on this commit: the 7-head sparse speed config three times (the machine's run-to-run noise
# is +-3-5 %), each run's table kept (run1..3/), then the per-row median of speedup / FLOP ratio.
set -euo pipefail
d="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$d/../../.." && pwd)"
for i in 1 2 3; do
  "$root/build/bin/pevlm" speed --config "$d/speed-sparse-7heads.yaml" --out "$d/run$i" > "$d/run$i.log" 2>&1
done
python3 - "$d" <<'PY'
import json, statistics, sys
d = sys.argv[1]
rows = {}
for i in (1, 2, 3):
    for line in open(f"{d}/run{i}/speed.jsonl"):
        r = json.loads(line)
        key = (r["label"], r["tokens"])
        sp = r.get("sparse") or {}
        rows.setdefault(key, []).append((r["speedup_over_flop_ratio"], r["attn_ms"], sp.get("estimator_ms"), sp.get("estimator_share")))
print("| method | tokens | speedup / FLOP limit (3 runs) | median | attn ms (median) | estimator ms (median) | estimator share |")
print("|---|---:|---|---:|---:|---:|---:|")
for (label, tokens), v in rows.items():
    ratios = [x[0] for x in v]
    est = [x[2] for x in v if x[2] is not None]
    share = [x[3] for x in v if x[3] is not None]
    print(f"| {label} | {tokens} | {' / '.join(f'{x:.2f}' for x in ratios)} | {statistics.median(ratios):.2f} | "
          f"{statistics.median(x[1] for x in v):.1f} | {statistics.median(est):.1f} | {statistics.median(share):.3f} |"
          if est else
          f"| {label} | {tokens} | {' / '.join(f'{x:.2f}' for x in ratios)} | {statistics.median(ratios):.2f} | "
          f"{statistics.median(x[1] for x in v):.1f} | - | - |")
PY
