#!/usr/bin/python3
"""Figures for a pevlm report directory (PNG and SVG, matplotlib Agg backend).

    scripts/plot.py DIR [--speed FILE] [--pevlm BIN] [--out DIR]

Reads DIR/report.json (written by `pevlm report DIR`) and, when present, DIR/speed.json (or
--speed; rows of `pevlm speed`). Writes, when the data is there:
  speed_breakdown.*          Figure 4 style: attention vs other ms per configuration, stacked,
                             labelled with the attention and LLM speedups over full attention
  accuracy_vs_sink_block.*   Figure 5 style: PEVLM accuracy vs block size, one line per sink size
  accuracy_vs_cap.*          accuracy vs latency cap (Table 2), one line per configuration
  accuracy_vs_position.*     accuracy per relative position of the referred moment (LongVideoBench
                             `position`, 5 bins; the paper's "lost in the middle" question), one line
                             per configuration
  accuracy_vs_prefill_<g>.*  accuracy (with its video-clustered 95 % interval) vs mean prefill latency per
                             configuration, one figure per duration group g ("all" too), Pareto front
                             (no other configuration both as accurate and as fast) marked and joined
  attention_masks.*          attention masks of each method on a small layout (6 frames x 4
                             tokens), from `pevlm plan` (--pevlm BIN, default build*/bin/pevlm)
Re-run `pevlm report DIR` afterwards and report.md links the PNGs.
Needs matplotlib: Debian's python3-matplotlib (run with /usr/bin/python3) or the .venv's.
"""
import argparse
import glob
import json
import os
import subprocess
import sys

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:  # a clear message instead of a traceback
    sys.exit("plot.py: matplotlib is missing: apt-get install -y python3-matplotlib "
             "(then run with /usr/bin/python3) or pip install matplotlib into the .venv")

# Small layouts for the mask figure: (method, --set overrides), scaled so every method has a
# sink/prefix/anchor, several blocks and a question on 6 frames x 4 tokens + 5 system tokens.
MASK_METHODS = [
    ("full", []),
    ("block_attention", ["block_frames=2"]),
    ("ape", ["prefix_frames=1", "block_frames=2"]),
    ("star", ["anchor_frames=1", "block_frames=2"]),
    ("pevlm", ["sink_frames=1", "block_frames=2"]),
]


def save(fig, out_dir, stem):
    for ext in ("png", "svg"):
        fig.savefig(os.path.join(out_dir, f"{stem}.{ext}"), dpi=130, bbox_inches="tight")
    plt.close(fig)
    print(f"plot.py: wrote {stem}.png/.svg")


def short(label):
    """'pevlm(sink_frames=2,block_frames=16,positions=retain)' -> 'pevlm s2f b16f retain'."""
    if "(" not in label:
        return label
    name, rest = label.split("(", 1)
    parts = []
    for kv in rest.rstrip(")").split(","):
        k, _, v = kv.partition("=")
        abbrev = {"sink_frames": "s{}f", "block_frames": "b{}f", "block_tokens": "b{}t", "prefix_tokens": "p{}t",
                  "prefix_frames": "p{}f", "anchor_tokens": "a{}t", "anchor_frames": "a{}f", "positions": "{}",
                  "sink_tokens": "s{}t", "recompute_anchor": "rc={}"}.get(k)
        if abbrev:
            parts.append(abbrev.format(v))
    return name + " " + " ".join(parts)


def plot_speed(rows, out_dir):
    labels = [short(r["label"]) for r in rows]
    attn = [r["attn_ms"] for r in rows]
    other = [r.get("other_ms") or 0.0 for r in rows]
    fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(rows)), 4.2))
    x = range(len(rows))
    ax.bar(x, attn, label="attention", color="#d95f02")
    ax.bar(x, other, bottom=attn, label="other (linear, norms, ...)", color="#7570b3")
    for i, r in enumerate(rows):
        text = f"attn x{r.get('speedup_vs_full', float('nan')):.2f}"
        if r.get("llm_speedup_vs_full") is not None:
            text += f"\nLLM x{r['llm_speedup_vs_full']:.2f}"
        ax.text(i, attn[i] + other[i], text, ha="center", va="bottom", fontsize=8)
    ax.set_xticks(list(x))
    ax.set_xticklabels(labels, rotation=30, ha="right", fontsize=8)
    tokens = rows[0].get("tokens")
    tokens = tokens.get("total") if isinstance(tokens, dict) else tokens
    ax.set_ylabel("prefill time (ms)")
    ax.set_title(f"Prefill time per configuration ({tokens} tokens; paper, H20: attention 7.79-33.81x, LLM 2.58-3.14x)",
                 fontsize=9)
    ax.margins(y=0.18)
    ax.legend(fontsize=8)
    save(fig, out_dir, "speed_breakdown")


def plot_sweeps(sweeps, out_dir):
    fig, axes = plt.subplots(1, len(sweeps), figsize=(5.5 * len(sweeps), 4), squeeze=False)
    for ax, sweep in zip(axes[0], sweeps):
        by_sink = {}
        for p in sweep["points"]:
            if p["accuracy"] is not None:
                by_sink.setdefault((p["sink_order"], p["sink"]), []).append((p["block_order"], p["block"], p["accuracy"]))
        blocks = sorted({(p["block_order"], p["block"]) for p in sweep["points"]})
        xpos = {b: i for i, b in enumerate(blocks)}
        for (_, sink), pts in sorted(by_sink.items()):
            pts.sort()
            ax.plot([xpos[(o, b)] for o, b, _ in pts], [a for _, _, a in pts], marker="o", label=f"sink {sink}")
        ax.set_xticks(range(len(blocks)))
        ax.set_xticklabels([b for _, b in blocks])
        ax.set_xlabel("block size")
        ax.set_ylabel("accuracy (%)")
        ax.set_title(f"PEVLM sink x block ({sweep['model']}, {sweep['positions']})", fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    save(fig, out_dir, "accuracy_vs_sink_block")


def finish_accuracy(fig, ax, xlabel, ylabel, title, out_dir, stem):
    """Labels, grid and legend of a one-line-per-configuration accuracy figure, then saves it."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    save(fig, out_dir, stem)


def plot_caps(table2, out_dir):
    rows = table2["rows"]
    if not rows:
        return
    caps = sorted(rows[0]["caps_s"])
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for r in rows:
        ys = [r.get(k) for k in [c["key"] for c in table2["columns"] if c["key"].startswith("cap_")]][::-1]
        xs = caps + [max(caps) * 1.25]
        ys = ys + [r["no_limit"]]
        ax.plot(xs, ys, marker="o", label=short(r["label"]))
    ax.set_xticks(caps + [max(caps) * 1.25])
    ax.set_xticklabels([f"{c:g}" for c in caps] + ["none"])
    finish_accuracy(fig, ax, "latency cap (s)", "accuracy (%), over the cap = wrong", "Accuracy under latency caps",
                    out_dir, "accuracy_vs_cap")


def plot_position(long_rows, out_dir):
    """Accuracy per position bin ("0-20%" .. "80-100%"; 'no position' / 'beyond duration' left out)."""
    rows = [r for r in long_rows if r["grouping"] == "position_bin" and r["group"].endswith("%")
            and r["accuracy"] is not None]
    if not rows:
        print("plot.py: no rows with a position: skipped accuracy_vs_position")
        return
    bins = sorted({r["group"] for r in rows}, key=lambda g: int(g.split("-")[0]))
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for label in dict.fromkeys(r["label"] for r in rows):
        pts = {r["group"]: (r["accuracy"], r["scored"]) for r in rows if r["label"] == label}
        xs = [i for i, b in enumerate(bins) if b in pts]
        ax.plot(xs, [pts[bins[i]][0] for i in xs], marker="o", label=short(label))
    ax.set_xticks(range(len(bins)))
    ax.set_xticklabels(bins)
    finish_accuracy(fig, ax, "relative position of the referred moment in the video", "accuracy (%)",
                    "Accuracy by position of the moment the question refers to", out_dir, "accuracy_vs_position")


def safe_name(group):
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in str(group))


def plot_pareto(groups, out_dir):
    """One accuracy vs prefill latency figure per duration group, from report.json's "pareto"."""
    for g in groups:
        pts = [p for p in g["points"] if p["accuracy"] is not None and p["prefill_ms"] is not None]
        if not pts:
            continue
        fig, ax = plt.subplots(figsize=(6.5, 4.2))
        for p in pts:
            x, y = p["prefill_ms"] / 1000.0, p["accuracy"]
            err = None
            if p.get("ci_low") is not None and p.get("ci_high") is not None:
                err = [[y - p["ci_low"]], [p["ci_high"] - y]]
            ax.errorbar([x], [y], yerr=err, fmt="o", capsize=3,
                        markerfacecolor=None if p["pareto"] else "white", label=short(p["label"]))
        front = sorted((p["prefill_ms"] / 1000.0, p["accuracy"]) for p in pts if p["pareto"])
        if front:
            ax.step([x for x, _ in front], [y for _, y in front], where="post", color="black", linewidth=1,
                    linestyle="--", label="Pareto front")
        title = "all samples" if g["group"] == "all" else f"{g['grouping']} {g['group']}"
        finish_accuracy(fig, ax, "mean prefill latency per sample (s)", "accuracy (%), 95 % CI clustered by video",
                        f"Accuracy vs prefill latency ({title}; filled = on the Pareto front)", out_dir,
                        f"accuracy_vs_prefill_{safe_name(g['group'])}")


def find_pevlm(explicit):
    if explicit:
        return explicit
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    found = sorted(glob.glob(os.path.join(root, "build*", "bin", "pevlm")), key=os.path.getmtime, reverse=True)
    return found[0] if found else None


def plan_mask(pevlm, method, sets):
    cmd = [pevlm, "plan", "--method", method, "--frames", "6", "--tokens-per-frame", "4"]
    for s in sets:
        cmd += ["--set", s]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()
    rows = [line.strip() for line in out if line.strip() and set(line.strip()) <= {"#", "."}]
    return out[0], [[1 if ch == "#" else 0 for ch in row] for row in rows]


def plot_masks(pevlm, out_dir):
    masks = [(m, *plan_mask(pevlm, m, s)) for m, s in MASK_METHODS]
    fig, axes = plt.subplots(1, len(masks), figsize=(3.2 * len(masks), 3.6))
    for ax, (method, title, mask) in zip(axes, masks):
        ax.imshow(mask, cmap="Greys", interpolation="nearest")
        ax.set_title(title.split(" on ")[0].replace(",", ",\n", 2), fontsize=7)
        ax.set_xlabel("key", fontsize=8)
        ax.set_ylabel("query", fontsize=8)
        ax.tick_params(labelsize=6)
    fig.suptitle("Prefill attention masks (5 system tokens + 6 frames x 4 tokens + 3 question tokens; black = attended)",
                 fontsize=9)
    save(fig, out_dir, "attention_masks")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", help="report directory (report.json, optional speed.json)")
    ap.add_argument("--speed", help="speed.json of pevlm speed (default DIR/speed.json)")
    ap.add_argument("--pevlm", help="pevlm executable for the mask figure (default: newest build*/bin/pevlm)")
    ap.add_argument("--out", help="output directory (default DIR)")
    args = ap.parse_args()
    out_dir = args.out or args.dir
    os.makedirs(out_dir, exist_ok=True)

    report_path = os.path.join(args.dir, "report.json")
    report = None
    if os.path.exists(report_path):
        with open(report_path) as f:
            report = json.load(f)
    speed_path = args.speed or os.path.join(args.dir, "speed.json")
    speed = None
    if os.path.exists(speed_path):
        with open(speed_path) as f:
            speed = json.load(f)
    elif report and "figure4" in report:
        speed = report["figure4"]["rows"]
    if report is None and speed is None:
        sys.exit(f"plot.py: neither {report_path} nor {speed_path} exists; run pevlm report {args.dir} first")

    if speed:
        plot_speed(speed, out_dir)
    if report:
        if report.get("sweeps"):
            plot_sweeps(report["sweeps"], out_dir)
        plot_caps(report["table2"], out_dir)
        plot_position(report.get("accuracy_long", []), out_dir)
        plot_pareto(report.get("pareto", []), out_dir)
    pevlm = find_pevlm(args.pevlm)
    if pevlm and os.access(pevlm, os.X_OK):
        plot_masks(pevlm, out_dir)
    else:
        print("plot.py: no pevlm executable found (--pevlm BIN): skipped attention_masks")


if __name__ == "__main__":
    main()
