"""A1..A8 parallel-encoding reference logits for the tiny Qwen2.5-VL fixture.

Masks and position policies exactly as ../shared/golden/qwen2_5_vl_tiny_methods/README.md defines
them ("Mask rules", "Position policies", "Configurations"); the model runs them through
transformers' own eager attention with a 4-D additive mask and explicit [3, 1, L] position ids.
transformers 5.x: a dict {"full_attention": mask} as attention_mask bypasses create_causal_mask
(Qwen2_5_VLTextModel.forward), the 4.50 equivalent of passing a 4-D mask to _update_causal_mask.
"""
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Geometry:
    """The fixture prompt: length, end of the context (= question start) and the frame spans."""
    L: int
    context_end: int
    frames: tuple


# The Qwen2.5-VL fixture: context = tokens 0..40, question = 41..47, 3 frames of 12 video tokens.
QWEN = Geometry(48, 41, ((5, 17), (17, 29), (29, 41)))
L, CONTEXT_END, FRAMES = QWEN.L, QWEN.context_end, list(QWEN.frames)

CONFIGS = [  # name, description, mask builder args, position policy
    ("A1", "full", ("full",), "retain"),
    ("A2", "block_attention B=12 retain", ("block", 12), "retain"),
    ("A3", "star A=17 B=17 retain", ("star", 17, 17), "retain"),
    ("A4", "pevlm k=1 m=1 retain", ("pevlm", 1, 1), "retain"),
    ("A5", "pevlm k=1 m=2 retain", ("pevlm", 1, 2), "retain"),
    ("A6", "ape P=5 B=12 retain", ("ape", 5, 12), "retain"),
    ("A7", "pevlm k=0 m=2 retain", ("pevlm", 0, 2), "retain"),
    ("A8", "ape P=5 B=12 reuse", ("ape", 5, 12), "reuse"),
]


def cut(start, end, size):
    return [(s, min(s + size, end)) for s in range(start, end, size)]


def units(kind, *args, geo=QWEN):
    """(shared, blocks): tokens every block sees, and the independent context blocks."""
    CONTEXT_END, FRAMES = geo.context_end, list(geo.frames)
    if kind == "full":
        return (0, CONTEXT_END), []
    if kind == "block":
        return (0, 0), cut(0, CONTEXT_END, args[0])
    if kind == "star":
        anchor, size = args
        blocks = cut(0, CONTEXT_END, size)
        return (0, min(anchor, size)), blocks  # first block handled as its own unit below
    if kind == "pevlm":
        k, m = args
        sink_end = FRAMES[k - 1][1] if k > 0 else FRAMES[0][0]
        rest = FRAMES[k:]
        blocks = [(rest[i][0], rest[min(i + m, len(rest)) - 1][1]) for i in range(0, len(rest), m)]
        return (0, sink_end), blocks
    if kind == "ape":
        prefix, size = args
        return (0, prefix), cut(prefix, CONTEXT_END, size)
    raise ValueError(f"unknown method {kind}")


def build_mask(kind, *args, geo=QWEN):
    """U8 [L, L]: 1 where query row i attends key column j (always causal, diagonal set)."""
    L, CONTEXT_END = geo.L, geo.context_end
    causal = torch.tril(torch.ones(L, L, dtype=torch.uint8))
    (s0, s1), blocks = units(kind, *args, geo=geo)
    mask = torch.zeros(L, L, dtype=torch.uint8)
    mask[s0:s1, s0:s1] = 1  # shared unit (sink / prefix / anchor / full context) sees itself
    for i, (b0, b1) in enumerate(blocks):
        mask[b0:b1, b0:b1] = 1
        if not (kind == "star" and i == 0):  # star: the first block only sees itself
            mask[b0:b1, s0:s1] = 1
    mask[CONTEXT_END:, :] = 1  # question sees everything before it
    return mask * causal


def reuse_positions(retain_3L, kind, *args, geo=QWEN):
    """Each context block takes the temporal positions of the first context block; video
    tokens move on the t row only, text tokens on all rows (1-D positions: the one row); the
    question continues at max + 1."""
    L, CONTEXT_END, FRAMES = geo.L, geo.context_end, list(geo.frames)
    pos = retain_3L.clone()
    _, blocks = units(kind, *args, geo=geo)
    first = blocks[1] if kind == "star" else blocks[0]
    for b0, b1 in blocks:
        if kind == "star" and (b0, b1) == blocks[0]:
            continue
        shift = int(pos[0, b0] - pos[0, first[0]])
        for j in range(b0, b1):
            is_video = FRAMES[0][0] <= j < FRAMES[-1][1]
            if is_video:
                pos[0, j] -= shift
            else:
                pos[:, j] -= shift
    start = int(pos[:, :CONTEXT_END].max()) + 1
    pos[:, CONTEXT_END:] = torch.arange(start, start + L - CONTEXT_END).expand(pos.shape[0], -1)
    return pos


def run_config(model, golden, mask_LL, pos_3L):
    additive = torch.zeros(1, 1, L, L)
    additive[0, 0][mask_LL == 0] = torch.finfo(torch.float32).min
    ids = golden["input_ids"].view(1, -1)
    with torch.no_grad():
        out = model(input_ids=ids, pixel_values_videos=golden["pixel_values_videos"],
                    video_grid_thw=golden["video_grid_thw"], second_per_grid_ts=golden["second_per_grid_ts"],
                    attention_mask={"full_attention": additive}, position_ids=pos_3L.view(3, 1, L),
                    use_cache=False)
    return out.logits[0]


def build_method_tensors(model, golden):
    """Returns (tensors for methods.safetensors, summary table rows)."""
    tensors, table = {}, []
    retain = golden["position_ids"]
    full_logits = golden["prefill_logits"]
    for name, desc, margs, policy in CONFIGS:
        mask = build_mask(*margs)
        pos = retain.clone() if policy == "retain" else reuse_positions(retain, *margs)
        model.model.rope_deltas = None
        logits = run_config(model, golden, mask, pos)
        top2 = logits[-1].topk(2).values
        tensors.update({f"{name}.mask": mask.contiguous(), f"{name}.position_ids": pos.contiguous(),
                        f"{name}.logits": logits.contiguous(),
                        f"{name}.next_token": logits[-1].argmax().view(1)})
        causal_pairs = int(torch.tril(torch.ones(L, L)).sum())
        table.append({"name": name, "configuration": desc, "masked_pairs": causal_pairs - int(mask.sum()),
                      "max_abs_diff_vs_full": float((logits - full_logits).abs().max()),
                      "max_abs_diff_question_rows": float((logits - full_logits)[CONTEXT_END:].abs().max()),
                      "next_token": int(logits[-1].argmax()), "top1_top2_gap": float(top2[0] - top2[1])})
    return tensors, table
