#!/usr/bin/env bash
# Issue 25 item 7, third pass: the 7-head sparse speed config three times with the AMX PV of gathered windows on
# (run1..3/, the default) and three times off (off1..3/, PEVLM_FUSED_AMX=0: cpublas::brgemm per chunk), interleaved
# on/off so that the VM's drift (+-3-5 %) hits both arms alike; then the per-row medians of each arm.
set -euo pipefail
d="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$d/../../.." && pwd)"
for i in 1 2 3; do
  "$root/build/bin/pevlm" speed --config "$d/speed-sparse-7heads.yaml" --out "$d/run$i" > "$d/run$i.log" 2>&1
  PEVLM_FUSED_AMX=0 "$root/build/bin/pevlm" speed --config "$d/speed-sparse-7heads.yaml" --out "$d/off$i" > "$d/off$i.log" 2>&1
done
python3 - "$d" <<'PY'
import json, statistics, sys
d = sys.argv[1]
def medians(prefix):
    rows = {}
    for i in (1, 2, 3):
        for line in open(f"{d}/{prefix}{i}/speed.jsonl"):
            r = json.loads(line)
            sp = r.get("sparse") or {}
            rows.setdefault((r["label"], r["tokens"]), []).append((r["speedup_over_flop_ratio"], r["attn_ms"], sp.get("estimator_ms")))
    return rows
on, off = medians("run"), medians("off")
print("| method | tokens | AMX PV on: speedup / FLOP limit (3 runs) | median | attn ms | off (brgemm per chunk): 3 runs | median | attn ms |")
print("|---|---:|---|---:|---:|---|---:|---:|")
for key, v in on.items():
    w = off[key]
    f = lambda xs: " / ".join(f"{x[0]:.2f}" for x in xs)
    print(f"| {key[0]} | {key[1]} | {f(v)} | {statistics.median(x[0] for x in v):.2f} | {statistics.median(x[1] for x in v):.1f} | "
          f"{f(w)} | {statistics.median(x[0] for x in w):.2f} | {statistics.median(x[1] for x in w):.1f} |")
PY
