#!/usr/bin/env python3
"""Attention mass per prompt span for the tiny Qwen2.5-VL, computed by transformers (issue 13 goldens).

Usage: qwen_golden_attention.py [GOLDEN_ROOT]   (default: tests/data/golden of this repository)
Reads GOLDEN_ROOT/qwen2_5_vl_tiny/ (checkpoint + golden.safetensors inputs) and
GOLDEN_ROOT/qwen2_5_vl_tiny_methods/methods.safetensors (A1..A8: 4-D masks, position ids, next token),
runs the model with attn_implementation="eager" and output_attentions=True under each configuration
exactly as qwen_golden_methods.py does (attention_mask={"full_attention": additive 4-D mask},
explicit [3, 1, L] position ids), and sums every layer's attention probabilities over the prompt's
spans: system 0-4, frames 5-16 / 17-28 / 29-40, question 41-47 (tests/qwen_golden_util.h).

Writes GOLDEN_ROOT/qwen2_5_vl_tiny_attention/attention_mass.safetensors + README.md:
  <C>.mass           F32 [layers, heads, 48, 5]  every prompt row's mass per span
  <C>.generated_mass F32 [layers, heads, 6]      the first generated token (<C>.next_token of the
                     methods fixture, appended at position max(ids) + 1 on all axes, attending to
                     every key: decoding's rule) over the 5 spans + its own key
APE appears with T = S = 1 only (A6, A8), as in the methods fixture: transformers has no APE merge;
the C++ test checks APE with T, S != 1 against the dense float64 reference instead.
"""
import subprocess
import sys
from pathlib import Path

import torch
import transformers
from safetensors.torch import load_file, save_file
from transformers import Qwen2_5_VLForConditionalGeneration

BOUNDS = [0, 5, 17, 29, 41, 48]
CONFIGS = ["A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8"]


def span_sums(p_lhqk, bounds):
    """[layers, heads, q, keys] -> [layers, heads, q, spans]."""
    return torch.stack([p_lhqk[..., a:b].sum(-1) for a, b in zip(bounds[:-1], bounds[1:])], -1)


def forward_attentions(model, golden, ids, mask_LL, pos_3L):
    L = ids.numel()
    additive = torch.zeros(1, 1, L, L)
    additive[0, 0][mask_LL == 0] = torch.finfo(torch.float32).min
    model.model.rope_deltas = None
    with torch.no_grad():
        out = model(input_ids=ids.view(1, -1), pixel_values_videos=golden["pixel_values_videos"],
                    video_grid_thw=golden["video_grid_thw"], second_per_grid_ts=golden["second_per_grid_ts"],
                    attention_mask={"full_attention": additive}, position_ids=pos_3L.view(3, 1, L),
                    use_cache=False, output_attentions=True)
    layers = model.config.text_config.num_hidden_layers
    if len(out.attentions) != layers or tuple(out.attentions[0].shape[-2:]) != (L, L):
        raise SystemExit(f"expected {layers} decoder attention maps of {L}x{L}, got "
                         f"{[tuple(a.shape) for a in out.attentions]}")
    return torch.stack([a[0] for a in out.attentions]).float()  # [layers, heads, L, L]


def main():
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "tests/data/golden"
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    model = Qwen2_5_VLForConditionalGeneration.from_pretrained(
        str(root / "qwen2_5_vl_tiny"), attn_implementation="eager", dtype=torch.float32).eval()
    golden = load_file(str(root / "qwen2_5_vl_tiny/golden.safetensors"))
    methods = load_file(str(root / "qwen2_5_vl_tiny_methods/methods.safetensors"))
    ids = golden["input_ids"].view(-1)
    L = ids.numel()
    tensors, table = {}, []
    for c in CONFIGS:
        mask, pos = methods[f"{c}.mask"], methods[f"{c}.position_ids"]
        mass = span_sums(forward_attentions(model, golden, ids, mask, pos), BOUNDS)
        # The first generated token: one more row that sees every key, positions continue at max + 1.
        nxt = methods[f"{c}.next_token"].view(1)
        mask_g = torch.ones(L + 1, L + 1, dtype=torch.uint8).tril()
        mask_g[:L, :L] = mask
        pos_g = torch.cat([pos, torch.full((3, 1), int(pos.max()) + 1, dtype=pos.dtype)], 1)
        p_g = forward_attentions(model, golden, torch.cat([ids, nxt]), mask_g, pos_g)
        gen = span_sums(p_g[:, :, L:, :], BOUNDS + [L + 1])[:, :, 0]
        tensors[f"{c}.mass"] = mass.contiguous()
        tensors[f"{c}.generated_mass"] = gen.contiguous()
        sums = (mass.sum(-1) - 1).abs().max().item()
        q_frames = mass[:, :, 41:, 1:4].mean((0, 1, 2))
        table.append((c, sums, (gen.sum(-1) - 1).abs().max().item(), [round(float(v), 4) for v in q_frames]))
    out = root / "qwen2_5_vl_tiny_attention"
    out.mkdir(parents=True, exist_ok=True)
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True,
                                cwd=Path(__file__).parent).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    meta = {"format": "pt", "transformers": transformers.__version__, "torch": torch.__version__, "git": commit}
    save_file(tensors, str(out / "attention_mass.safetensors"), metadata=meta)
    lines = [f"# Attention mass per span, tiny Qwen2.5-VL, transformers {transformers.__version__}", "",
             f"Written by `scripts/golden/qwen_golden_attention.py` (git {commit}); torch {torch.__version__}, "
             "fp32, eager attention, output_attentions=True.", "", (__doc__.split("\n\n", 2)[2]).strip(), "",
             "| config | max abs(sum - 1), prompt rows | generated row | question rows' mass on frames 0/1/2 |",
             "| --- | --- | --- | --- |"]
    lines += [f"| `{c}` | {a:.2e} | {g:.2e} | {f} |" for c, a, g, f in table]
    (out / "README.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {out}/attention_mass.safetensors ({len(tensors)} tensors)")


if __name__ == "__main__":
    main()
