#!/usr/bin/env python3
"""Writes tests/data/report_stats/: a fixed table of result rows (results.jsonl: 4 method configurations
x 24 questions over 10 videos of two duration groups, with failed and unparsed rows) and expected.json,
the statistics of `pevlm report` computed independently:

  * accuracy and the paired difference vs full attention: statsmodels OLS of the 0/1 correctness (or the
    paired difference) on a constant with cov_type="cluster" grouped by video -> params, bse, conf_int()
    (normal interval, statsmodels' default for robust covariances);
  * exact McNemar p-values: statsmodels.stats.contingency_tables.mcnemar(table, exact=True), on the
    table's flips and on extra (b, c) pairs;
  * the cluster bootstrap: the resampler stated in harness/report/stats.h re-implemented here (splitmix64
    stream, index = high 64 bits of draw * G) with numpy.percentile (linear) at 2.5 / 97.5;
  * the Pareto front of accuracy vs mean prefill ms per duration group, by brute force.

tests/report_stats_test.cpp reads both files (no Python at test time). Run from the repository root:

    .venv/bin/python scripts/golden/make_report_stats_golden.py

Needs numpy, scipy and statsmodels (scripts/requirements.txt). Regenerating gives the same bytes."""
import json
import pathlib
import random

import numpy as np
import statsmodels.api as sm
from statsmodels.stats.contingency_tables import mcnemar

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "data" / "report_stats"
MODEL = {"name": "Qwen2.5-VL-7B-Instruct", "dtype": "bf16"}
BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED = 2000, 24
# video id, duration group, questions
VIDEOS = [("v0", 60, 3), ("v1", 60, 1), ("v2", 60, 4), ("v3", 60, 2), ("v4", 60, 3),
          ("v5", 600, 2), ("v6", 600, 3), ("v7", 600, 1), ("v8", 600, 4), ("v9", 600, 1)]
CONFIGS = [  # method, params, P(correct), prefill ms per second of video group
    ("full", {}, 0.70, 40.0),
    ("pevlm", {"sink_frames": 2, "block_frames": 16, "positions": "retain"}, 0.66, 12.0),
    ("block_attention", {"block_tokens": 4096, "positions": "retain"}, 0.55, 14.0),
    ("star", {"anchor_frames": 4, "block_frames": 16, "positions": "retain"}, 0.72, 45.0),
]
FAILED = {("pevlm", "v2_1"), ("full", "v6_0")}                 # error rows (out of every statistic)
UNPARSED = {("block_attention", "v0_2"), ("block_attention", "v8_3"), ("pevlm", "v5_0")}
M = (1 << 64) - 1


def label(method, params):
    return method if not params else method + "(" + ",".join(f"{k}={v}" for k, v in params.items()) + ")"


def make_rows():
    rng = random.Random(24)
    video_effect = {v: rng.uniform(-0.25, 0.25) for v, _, _ in VIDEOS}  # correlated questions per video
    rows = []
    for method, params, p, ms_per_s in CONFIGS:
        lab = label(method, params)
        for vid, group, nq in VIDEOS:
            for q in range(nq):
                sid = f"{vid}_{q}"
                failed = (method, sid) in FAILED
                correct = rng.random() < p + video_effect[vid]
                unparsed = (method, sid) in UNPARSED
                prefill = ms_per_s * group * (1.0 + 0.1 * rng.random())
                row = {"key": f"{sid}|{lab}", "sample_id": sid, "video_id": vid, "method": method, "label": lab,
                       "params": params, "model": MODEL, "duration_group": group, "decoder_label": "greedy",
                       "correct_letter": "B", "error": "fixture failure" if failed else None,
                       "correct": None if failed else bool(correct and not unparsed),
                       "answer_parsed": None if failed else not unparsed,
                       "answer_fallback": ("random" if method == "block_attention" else "none") if unparsed else None,
                       "timings_ms": {"decode_video": 500.0, "preprocess": 50.0, "vision": 900.0,
                                      "prefill_attention": round(prefill * 0.6, 3),
                                      "prefill_other": round(prefill * 0.4, 3), "decode": 80.0}}
                rows.append(row)
    return rows


def splitmix_stream(seed):
    state = seed
    while True:
        state = (state + 0x9E3779B97F4A7C15) & M
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
        yield z ^ (z >> 31)


def cluster_bootstrap(y, clusters):
    order = list(dict.fromkeys(clusters))
    sums = {c: 0.0 for c in order}
    counts = {c: 0 for c in order}
    for v, c in zip(y, clusters):
        sums[c] += v
        counts[c] += 1
    draws = splitmix_stream(BOOTSTRAP_SEED)
    g = len(order)
    stats = []
    for _ in range(BOOTSTRAP_RESAMPLES):
        picks = [order[(next(draws) * g) >> 64] for _ in range(g)]
        stats.append(sum(sums[c] for c in picks) / sum(counts[c] for c in picks))
    lo, hi = np.percentile(stats, [2.5, 97.5])
    return float(lo), float(hi)


def clustered(y, clusters):
    codes = {c: i for i, c in enumerate(dict.fromkeys(clusters))}
    groups = np.array([codes[c] for c in clusters])
    fit = sm.OLS(np.asarray(y, dtype=float), np.ones((len(y), 1))).fit(cov_type="cluster", cov_kwds={"groups": groups})
    lo, hi = fit.conf_int(alpha=0.05)[0]
    blo, bhi = cluster_bootstrap(y, clusters)
    return {"n": len(y), "clusters": len(codes), "mean": float(fit.params[0]), "se": float(fit.bse[0]),
            "ci_low": float(lo), "ci_high": float(hi), "bootstrap_low": blo, "bootstrap_high": bhi}


def scored(rows, lab):
    return [r for r in rows if r["label"] == lab and r["error"] is None]


def pareto(points):
    return [not any((q[0] >= p[0] and q[1] <= p[1] and (q[0] > p[0] or q[1] < p[1])) for q in points if q is not p)
            for p in points]


def main():
    rows = make_rows()
    labels = [label(m, p) for m, p, _, _ in CONFIGS]
    expected = {"bootstrap_resamples": BOOTSTRAP_RESAMPLES, "bootstrap_seed": BOOTSTRAP_SEED,
                "accuracy": {}, "paired": {}, "mcnemar_extra": [], "pareto": {}}
    for lab in labels:
        s = scored(rows, lab)
        e = clustered([1.0 if r["correct"] else 0.0 for r in s], [r["video_id"] for r in s])
        e["unparsed"] = sum(1 for r in s if not r["answer_parsed"])
        expected["accuracy"][lab] = e
    full = {r["sample_id"]: r for r in scored(rows, labels[0])}
    for lab in labels[1:]:
        pairs = [(r, full[r["sample_id"]]) for r in scored(rows, lab) if r["sample_id"] in full]
        pairs.sort(key=lambda p: p[0]["sample_id"])
        d = [float(a["correct"]) - float(b["correct"]) for a, b in pairs]
        e = clustered(d, [b["video_id"] for _, b in pairs])
        rw = sum(1 for a, b in pairs if b["correct"] and not a["correct"])
        wr = sum(1 for a, b in pairs if not b["correct"] and a["correct"])
        e.update({"right_to_wrong": rw, "wrong_to_right": wr,
                  "mcnemar_p": float(mcnemar([[0, rw], [wr, 0]], exact=True).pvalue)})
        expected["paired"][lab] = e
    for b, c in [(0, 0), (1, 0), (3, 3), (5, 1), (10, 20), (0, 25), (100, 130), (1000, 1100), (4000, 4210)]:
        expected["mcnemar_extra"].append({"b": b, "c": c, "p": float(mcnemar([[0, b], [c, 0]], exact=True).pvalue)})
    for group in ["all", "60", "600"]:
        pts = []
        for lab in labels:
            s = [r for r in scored(rows, lab) if group == "all" or str(r["duration_group"]) == group]
            acc = 100.0 * sum(r["correct"] for r in s) / len(s)
            ms = sum(r["timings_ms"]["prefill_attention"] + r["timings_ms"]["prefill_other"] for r in s) / len(s)
            pts.append((acc, ms, lab))
        expected["pareto"][group] = [{"label": lab, "accuracy": a, "prefill_ms": ms, "pareto": on}
                                     for (a, ms, lab), on in zip(pts, pareto(pts))]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.jsonl").write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in rows))
    (OUT / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT}: {len(rows)} rows, expected.json")


if __name__ == "__main__":
    main()
