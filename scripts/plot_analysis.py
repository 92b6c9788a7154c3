#!/usr/bin/python3
"""Figure-1 style plots of a `pevlm analyze` output folder (PNG and SVG, matplotlib Agg backend).

    scripts/plot_analysis.py DIR

Reads DIR/mass.csv and DIR/divergence.csv (written by `pevlm analyze`) and writes into DIR:
  mass_per_frame.*       the paper's Figure 1 (bottom row): share of the frames-only attention per
                         frame, averaged over layers and samples, one line per configuration
                         (full, reuse, retain and every other configuration analysed), one panel per
                         query set (question tokens / first generated token)
  layer_frame_heatmap.*  layer x frame share of the frames-only attention, one panel per configuration
  divergence_vs_sink.*   Jensen-Shannon divergence from full attention over frames (layer mean) vs
                         PEVLM's sink size, one line per block size / positions / query set; the
                         other methods as dashed horizontal lines
  mass_per_span.*        attention mass on system text, frames, subtitles, question (and the
                         generated token's own key) per configuration, layer mean, stacked
Needs matplotlib: Debian's python3-matplotlib (run with /usr/bin/python3) or the .venv's.
"""
import csv
import os
import sys
from collections import defaultdict

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    sys.exit("plot_analysis.py: matplotlib is missing: apt-get install -y python3-matplotlib "
             "(then run with /usr/bin/python3) or pip install matplotlib into the .venv")

from plot import short  # noqa: E402  'pevlm(sink_frames=2,...)' -> 'pevlm s2f b16f retain' (scripts/plot.py)

KINDS = ["system", "frame", "subtitles", "question", "generated"]


def read_csv(path):
    if not os.path.exists(path):
        sys.exit(f"plot_analysis.py: {path} not found (run `pevlm analyze --out DIR` first)")
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def num(v):
    return float(v) if v not in ("", None) else None


def save(fig, out_dir, stem):
    fig.tight_layout()
    for ext in ("png", "svg"):
        fig.savefig(os.path.join(out_dir, f"{stem}.{ext}"), dpi=120)
    plt.close(fig)


def ordered_labels(rows):
    labels = []
    for r in rows:
        if r["label"] not in labels:
            labels.append(r["label"])
    return labels


def mass_per_frame(rows, out_dir):
    sets = sorted({r["query_set"] for r in rows})
    fig, axes = plt.subplots(1, len(sets), figsize=(7 * len(sets), 4), squeeze=False)
    for ax, qs in zip(axes[0], sets):
        for label in ordered_labels(rows):
            pts = sorted((int(r["frame_index"]), num(r["frame_share"])) for r in rows
                         if r["label"] == label and r["query_set"] == qs and r["layer"] == "mean" and r["kind"] == "frame")
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", ms=3, label=short(label),
                        lw=2.2 if label == "full" else 1.2)
        ax.set_xlabel("frame (temporal grid step)")
        ax.set_ylabel("share of the frames' attention")
        ax.set_title(f"attention per frame, {qs} queries (mean over layers, samples)", fontsize=9)
        ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    save(fig, out_dir, "mass_per_frame")


def layer_frame_heatmap(rows, out_dir):
    qs = "question" if any(r["query_set"] == "question" for r in rows) else "generated"
    labels = ordered_labels(rows)
    cols = min(3, len(labels))
    nrows = (len(labels) + cols - 1) // cols
    fig, axes = plt.subplots(nrows, cols, figsize=(5 * cols, 3.2 * nrows), squeeze=False)
    for i, label in enumerate(labels):
        ax = axes[i // cols][i % cols]
        cells = [(int(r["layer"]), int(r["frame_index"]), num(r["frame_share"])) for r in rows
                 if r["label"] == label and r["query_set"] == qs and r["layer"] != "mean" and r["kind"] == "frame"]
        if not cells:
            ax.axis("off")
            continue
        layers, frames = max(c[0] for c in cells) + 1, max(c[1] for c in cells) + 1
        grid = [[float("nan")] * frames for _ in range(layers)]
        for layer, frame, v in cells:
            grid[layer][frame] = v
        im = ax.imshow(grid, aspect="auto", origin="lower", cmap="viridis")
        ax.set_title(short(label), fontsize=8)
        ax.set_xlabel("frame")
        ax.set_ylabel("layer")
        fig.colorbar(im, ax=ax, fraction=0.046)
    for j in range(len(labels), nrows * cols):
        axes[j // cols][j % cols].axis("off")
    fig.suptitle(f"share of the frames' attention per layer ({qs} queries, mean over samples)")
    save(fig, out_dir, "layer_frame_heatmap")


def divergence_vs_sink(rows, out_dir):
    fig, ax = plt.subplots(figsize=(7, 4))
    mean_rows = [r for r in rows if r["layer"] == "mean"]
    lines = defaultdict(list)
    for r in mean_rows:
        if r["method"] == "pevlm" and r["params.sink_frames"] not in ("", None):
            key = f"pevlm b={r['params.block_frames'] or '?'}f {r['params.positions']} ({r['query_set']})"
            lines[key].append((int(r["params.sink_frames"]), num(r["js_frames"])))
    for key, pts in sorted(lines.items()):
        pts.sort()
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=key)
    for i, r in enumerate(x for x in mean_rows if x["method"] != "pevlm"):
        ax.axhline(num(r["js_frames"]), ls="--", lw=0.8, color=f"C{(i + 5) % 10}", label=f"{short(r['label'])} ({r['query_set']})")
    if not mean_rows:
        ax.text(0.5, 0.5, "no configuration besides full attention", ha="center", transform=ax.transAxes)
    ax.set_xlabel("PEVLM sink size (frames after the system text)")
    ax.set_ylabel("JS divergence from full attention (frames)")
    ax.set_title("distance from full attention vs sink size (mean over layers, samples)", fontsize=9)
    ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    save(fig, out_dir, "divergence_vs_sink")


def mass_per_span(rows, out_dir):
    sets = sorted({r["query_set"] for r in rows})
    labels = ordered_labels(rows)
    fig, axes = plt.subplots(1, len(sets), figsize=(max(6, 1.2 * len(labels)) * len(sets), 4.5), squeeze=False)
    for ax, qs in zip(axes[0], sets):
        bottom = [0.0] * len(labels)
        for k, kind in enumerate(KINDS):
            vals = [sum(num(r["mass"]) for r in rows if r["label"] == lab and r["query_set"] == qs and r["layer"] == "mean"
                        and r["kind"] == kind) for lab in labels]
            if any(vals):
                ax.bar(range(len(labels)), vals, bottom=bottom, label=kind, color=f"C{k}")
                bottom = [b + v for b, v in zip(bottom, vals)]
        ax.set_xticks(range(len(labels)))
        ax.set_xticklabels([short(lab) for lab in labels], rotation=30, ha="right", fontsize=7)
        ax.set_ylabel("attention mass")
        ax.set_title(f"where the {qs} queries attend (mean over layers, samples)")
        ax.legend(fontsize=7)
    save(fig, out_dir, "mass_per_span")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out_dir = sys.argv[1]
    mass = read_csv(os.path.join(out_dir, "mass.csv"))
    div = read_csv(os.path.join(out_dir, "divergence.csv"))
    if not mass:
        sys.exit(f"plot_analysis.py: {out_dir}/mass.csv has no rows")
    mass_per_frame(mass, out_dir)
    layer_frame_heatmap(mass, out_dir)
    divergence_vs_sink(div, out_dir)
    mass_per_span(mass, out_dir)
    print(f"plot_analysis.py: wrote mass_per_frame, layer_frame_heatmap, divergence_vs_sink, mass_per_span "
          f"(.png, .svg) into {out_dir}")


if __name__ == "__main__":
    main()
