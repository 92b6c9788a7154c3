#!/usr/bin/env python3
"""Writes tests/data/report/results.jsonl: 4 samples x 5 method configurations (20 rows, one
failed), plus a torn last line. The hand-chosen correctness and latencies below are what
tests/report_caps_test.cpp's expected values are computed from (see the table in that test).
Run once; the output file is the fixture (regenerating must give the same bytes)."""
import json, pathlib

MODEL = {"name": "Qwen2.5-VL-7B-Instruct", "path": "/models/Qwen2.5-VL-7B-Instruct",
         "config": {"hidden": 3584, "layers": 28, "heads": 28, "kv_heads": 4, "head_dim": 128,
                    "intermediate": 18944, "vocab": 152064,
                    "vision": {"depth": 32, "hidden": 1280, "heads": 16, "intermediate": 3420,
                               "fullatt_blocks": 4, "window_tokens": 64}},
         "dtype": "bf16"}
SAMPLES = [  # id, duration group, category, level, grid steps (256 tokens each)
    ("s1_short", 15, "S2E", "L1-Perception", 8),
    ("s2_medium", 60, "T3O", "L2-Relation", 32),
    ("s3_long", 600, "S2E", "L2-Relation", 128),
    ("s4_hour", 3600, "TOS", "L2-Relation", 384),
]
SYS, TPF, QUESTION = 20, 256, 60
# LongVideoBench `position` (seconds) per sample: relative 8% / 48% / 94%; s4 has none (as the test split).
POSITIONS = {"s1_short": [1], "s2_medium": [20, 26], "s3_long": [450]}
CONFIGS = [  # method, params, per sample: (correct, model latency s) or "error"
    ("full", {}, [(True, 12), (True, 29), (True, 35), (False, 45)]),
    ("block_attention", {"block_tokens": 4096, "positions": "retain"}, [(True, 10), (False, 15), "error", (True, 18)]),
    ("pevlm", {"sink_frames": 2, "block_frames": 16, "positions": "retain"}, [(True, 11), (True, 14), (True, 19.5), (True, 21)]),
    ("pevlm", {"sink_frames": 16, "block_frames": 16, "positions": "retain"}, [(True, 11), (False, 16), (True, 22), (True, 25)]),
    ("pevlm", {"sink_frames": 2, "block_frames": 8, "positions": "retain"}, [(False, 10), (True, 12), (True, 14), (False, 16)]),
]


def label(method, params):
    if not params:
        return method
    return method + "(" + ",".join(f"{k}={v}" for k, v in params.items()) + ")"


def tokens(method, params, steps):
    total = SYS + steps * TPF + QUESTION
    if method == "full":
        return {"total": total, "sink": 0, "blocks": [], "num_blocks": 0, "question": 0}
    if method == "block_attention":
        ctx, blocks = SYS + steps * TPF, []
        while ctx > 0:
            blocks.append(min(ctx, params["block_tokens"]))
            ctx -= blocks[-1]
        return {"total": total, "sink": 0, "blocks": blocks, "num_blocks": len(blocks), "question": QUESTION}
    k = min(params["sink_frames"], steps)
    rest, blocks = steps - k, []
    while rest > 0:
        blocks.append(min(rest, params["block_frames"]) * TPF)
        rest -= params["block_frames"]
    return {"total": total, "sink": SYS + k * TPF, "blocks": blocks, "num_blocks": len(blocks), "question": QUESTION}


lines = []
for method, params, outcomes in CONFIGS:
    lab = label(method, params)
    for (sid, group, cat, level, steps), outcome in zip(SAMPLES, outcomes):
        failed = outcome == "error"
        correct, lat_s = (None, 8.0) if failed else outcome
        total_ms = lat_s * 1000.0
        attn = round((total_ms - 3200.0) * 0.5, 1)
        row = {"key": f"{sid}|{lab}", "sample_id": sid, "method": method, "label": lab, "params": params,
               "protocol": {"name": "lmms_val_v", "max_frames": 768}, "model": MODEL,
               "duration_group": group, "question_category": cat, "level": level,
               "duration_s": float(group) * 0.8, "frames": 2 * steps,
               "tokens": tokens(method, params, steps), "vision_patches": 1024 * steps, "generated_tokens": 2,
               "timings_ms": {"decode_video": 2000.0, "preprocess": 100.0, "vision": 3000.0,
                              "prefill_attention": attn, "prefill_other": round(total_ms - 3200.0 - attn, 1),
                              "decode": 100.0},
               "response": None if failed else ("B" if correct else "C"),
               "predicted": None if failed else ("B" if correct else "C"),
               "correct_letter": "B", "correct": None if failed else correct,
               "fallback": (sid == "s1_short" and lab.endswith("block_frames=8,positions=retain)")),
               "error": "vision: CUDA out of memory (fixture)" if failed else None,
               "device": "cuda: NVIDIA H20", "versions": {"libtorch": "2.11.0"}, "commit": "fixture0",
               "utc_time": f"2026-11-22T20:{len(lines):02d}:00Z"}
        if sid in POSITIONS:
            row["position"] = POSITIONS[sid]
        lines.append(json.dumps(row, sort_keys=True))

torn = json.dumps({"key": "s5|full", "sample_id": "s5", "method": "full"})[:40]
out = pathlib.Path(__file__).with_name("results.jsonl")
out.write_text("\n".join(lines) + "\n" + torn)
print(f"wrote {out}: {len(lines)} rows + torn line")
