"""FastV goldens on the tiny Qwen2.5-VL fixture (../shared/golden/qwen2_5_vl_tiny), from transformers' own layers.

The reference is FastV's KV-cache forward (github pkunlp-icler/FastV, src/FastV/lmms-eval/fastv_kvcache.py,
FastVLlamaModel.forward ~L112-140), here over transformers' Qwen2_5_VLTextModel decoder layers (eager attention,
fp32, CPU): layer K-1 runs with its attention weights captured; at layer K

    image_attention_score = last_attention.mean(dim=1)[0][-1][SYS:SYS + IMAGE]
    top = image_attention_score.topk(int(IMAGE * keep_ratio)).indices + SYS
    keep = cat(arange(SYS), top, arange(SYS + IMAGE, L)).sort()
    hidden_states = hidden_states[:, keep];  position_ids = keep   (here: the M-RoPE ids of the kept tokens)

and the remaining layers run on the kept tokens with a causal mask of the new length. The fixture's video tokens
are 5..40 (SYS = 5, IMAGE = 36); the tiny model has 2 layers, so K = 1. Written: kept indices, the layer K-1 scores
(mean over heads of the last row) and the last-row logits, per (K, R), to tests/data/reduction/fastv_golden.safetensors.

Usage: .venv/bin/python scripts/golden/make_fastv_golden.py [SHARED_DIR]   (default ../shared)
"""
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from transformers import Qwen2_5_VLForConditionalGeneration

SYS, IMAGE = 5, 36
CASES = [(1, 0.5), (1, 0.75)]  # (K, R): R the dropped fraction, keep_ratio = 1 - R


def causal_mask(n):
    m = torch.full((n, n), float("-inf")).triu(1)
    return m[None, None]


def fastv_forward(model, x, pos, k, r):
    text = model.model.language_model
    captured = {}

    def grab(_module, _inputs, output):  # eager attention returns (attn_output, attn_weights)
        captured["attn"] = output[1].detach()

    handle = text.layers[k - 1].self_attn.register_forward_hook(grab)
    hidden, positions = x, pos
    try:
        for idx, layer in enumerate(text.layers):
            if idx == k:
                score = captured["attn"].mean(dim=1)[0][-1][SYS:SYS + IMAGE]
                top = score.topk(int(IMAGE * (1 - r))).indices + SYS
                keep = torch.cat((torch.arange(SYS), top, torch.arange(SYS + IMAGE, x.shape[1]))).sort().values
                hidden, positions = hidden[:, keep], positions[:, :, keep]
                scores = captured["attn"].mean(dim=1)[0][-1]
            emb = text.rotary_emb(hidden, positions)
            hidden = layer(hidden, attention_mask=causal_mask(hidden.shape[1]), position_ids=positions,
                           position_embeddings=emb)
            if isinstance(hidden, tuple):
                hidden = hidden[0]
    finally:
        handle.remove()
    logits = model.lm_head(text.norm(hidden))[0, -1]
    return keep, scores, logits


def main():
    shared = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / ".." / "shared")
    fixture = shared / "golden" / "qwen2_5_vl_tiny"
    torch.manual_seed(0)
    torch.set_num_threads(1)
    model = Qwen2_5_VLForConditionalGeneration.from_pretrained(str(fixture), attn_implementation="eager",
                                                               dtype=torch.float32).eval()
    g = load_file(str(fixture / "golden.safetensors"))
    x, pos = g["inputs_embeds"][None], g["position_ids"][:, None, :]
    out = {}
    with torch.no_grad():
        # Sanity: with no drop the loop reproduces the fixture's full-attention logits.
        text = model.model.language_model
        h = x
        for layer in text.layers:
            h = layer(h, attention_mask=causal_mask(h.shape[1]), position_ids=pos,
                      position_embeddings=text.rotary_emb(h, pos))
            h = h[0] if isinstance(h, tuple) else h
        full = model.lm_head(text.norm(h))[0, -1]
        drift = (full - g["prefill_logits"][-1]).abs().max().item()
        print(f"layer loop vs the fixture's prefill_logits[-1]: max-abs {drift:.3g}")
        assert drift < 1e-4, "the manual layer loop does not reproduce the fixture's forward"
        out["full_logits"] = full.contiguous()
        for k, r in CASES:
            keep, scores, logits = fastv_forward(model, x, pos, k, r)
            tag = f"k{k}_r{int(r * 100)}"
            out[f"{tag}_kept"] = keep.contiguous()
            out[f"{tag}_scores"] = scores.contiguous()
            out[f"{tag}_logits"] = logits.contiguous()
    dest = Path(__file__).resolve().parents[2] / "tests" / "data" / "reduction" / "fastv_golden.safetensors"
    dest.parent.mkdir(parents=True, exist_ok=True)
    import transformers
    save_file(out, str(dest), metadata={"format": "pt", "transformers": transformers.__version__,
                                        "torch": torch.__version__, "reference": "pkunlp-icler/FastV fastv_kvcache.py"})
    for name, t in out.items():
        print(name, tuple(t.shape), t.flatten()[:6].tolist())


if __name__ == "__main__":
    main()
