#!/usr/bin/env python3
"""Checks result rows after a run and prints one line per row: the device check fails on error rows.

`pevlm eval` exits 0 when a sample throws (the row carries the error), so the exit status alone would
report success over rows that all failed (issue 21, finding 3). This check is independent of the
binary: it reads the rows as written.

  check_rows.py eval  RESULTS.jsonl        [--min-rows N]   # eval rows (results.jsonl)
  check_rows.py speed DIR|speed.json[l]    [--min-rows N]   # speed rows (speed.jsonl streamed, or speed.json)

Exit 0: at least N rows, none with a non-empty `error`. Exit 1 otherwise, naming each bad row.
Standard library only (runs on the GPU machine's python3 and in CI).
"""
import argparse
import json
import os
import sys


def load_rows(kind, path):
    if kind == "speed" and os.path.isdir(path):
        for name in ("speed.jsonl", "speed.json"):
            if os.path.isfile(os.path.join(path, name)):
                path = os.path.join(path, name)
                break
        else:
            raise FileNotFoundError(f"{path}: no speed.jsonl or speed.json (the run wrote no rows)")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: missing (the run wrote no rows)")
    rows = []
    with open(path, encoding="utf-8") as f:
        if path.endswith(".json"):
            data = json.load(f)
            rows = data if isinstance(data, list) else data.get("rows", [])
        else:
            for n, line in enumerate(f, 1):
                if line.strip():
                    try:
                        rows.append(json.loads(line))
                    except json.JSONDecodeError as e:
                        raise ValueError(f"{path}:{n}: not a JSON row ({e})") from e
    return path, rows


def label(row, i):
    for key in ("label", "method", "name", "config"):
        if row.get(key):
            return str(row[key])
    return f"row {i}"


def describe(kind, row):
    if kind == "eval":
        tokens = (row.get("tokens") or {}).get("total")
        return (f"tokens {tokens}, timings_ms {row.get('timings_ms')}, memory {row.get('memory')}, "
                f"model_load {row.get('model_load')}")
    keep = ("tokens", "attn_ms", "llm_ms", "attn_speedup_vs_full", "llm_speedup_vs_full", "layers_timed", "layers_total")
    return ", ".join(f"{k} {row[k]}" for k in keep if k in row)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kind", choices=["eval", "speed"])
    ap.add_argument("path")
    ap.add_argument("--min-rows", type=int, default=1)
    args = ap.parse_args()
    try:
        path, rows = load_rows(args.kind, args.path)
    except (OSError, ValueError) as e:
        print(f"check_rows: FAIL: {e}")
        return 1
    bad = []
    for i, row in enumerate(rows):
        err = row.get("error")
        print(f"  {label(row, i)}: {describe(args.kind, row)}" + (f", ERROR {err}" if err else ""))
        if err:
            bad.append(f"{label(row, i)}: {err}")
    problems = []
    if len(rows) < args.min_rows:
        problems.append(f"expected at least {args.min_rows} {args.kind} rows, got {len(rows)}")
    if bad:
        problems.append(f"{len(bad)} of {len(rows)} {args.kind} rows have errors: " + "; ".join(bad[:5]))
    if problems:
        print(f"check_rows: FAIL ({path}): " + " | ".join(problems))
        return 1
    print(f"check_rows: ok: {len(rows)} {args.kind} rows without errors ({path})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
