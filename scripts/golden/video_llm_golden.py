"""Shared pieces of the LLaVA-Video and LongVILA golden scripts (SigLIP tower + Qwen2 LLM families).

Reference modules are transformers' own (SiglipVisionModel, Qwen2ForCausalLM); the scripts add only the
few lines the original repositories add around them (pooling / newlines / space-to-channel merge).
fp32, CPU, eager attention, deterministic algorithms. Weights: N(0, 1) draws from a Generator seeded
seed + 1 in named_parameters() order, scaled by kind (the recipe of make_qwen_golden.py).
"""
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch
import transformers
from transformers import Qwen2Config, Qwen2ForCausalLM, SiglipVisionConfig, SiglipVisionModel

sys.path.insert(0, str(Path(__file__).resolve().parent))
from qwen_golden_methods import Geometry, build_mask, reuse_positions  # noqa: E402

VOCAB = 160
TEXT = dict(vocab_size=VOCAB, hidden_size=64, intermediate_size=112, num_hidden_layers=2, num_attention_heads=4,
            num_key_value_heads=2, hidden_act="silu", rms_norm_eps=1e-6, max_position_embeddings=4096,
            tie_word_embeddings=False, bos_token_id=0, eos_token_id=1)


def start(doc, gen_offset):
    """Command line (OUT_DIR [--seed N]), fp32 determinism, and the weight Generator (seed + gen_offset)."""
    import argparse
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(args.seed)
    return args, torch.Generator().manual_seed(args.seed + gen_offset)


def init_weights(module, gen):
    """N(0, 1) draws in named_parameters() order: patch embeddings and biases x 0.05, 1-D weights (norms)
    1 + 0.1 n, the rest x 0.2 (make_qwen_golden.py's recipe, which calls this too)."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            n = torch.randn(p.shape, generator=gen)
            if name.endswith("patch_embedding.weight") or name.endswith("patch_embed.proj.weight"):
                p.copy_(0.05 * n)
            elif name.endswith(".bias"):
                p.copy_(0.05 * n)
            elif name.endswith(".weight") and p.dim() == 1:
                p.copy_(1 + 0.1 * n)
            else:
                p.copy_(0.2 * n)


def make_siglip(gen, **dims):
    config = SiglipVisionConfig(**dims)
    config._attn_implementation = "eager"
    model = SiglipVisionModel(config).float().eval()
    init_weights(model, gen)
    return model


def make_qwen2(gen, rope_theta):
    config = Qwen2Config(**TEXT, rope_theta=rope_theta)
    config._attn_implementation = "eager"
    model = Qwen2ForCausalLM(config).float().eval()
    init_weights(model, gen)
    return model


def frames_uint8(count, height, width):
    """Synthetic RGB frames (the formula of make_qwen_golden.video_frames, other sizes)."""
    f, y, x = np.meshgrid(np.arange(count), np.arange(height), np.arange(width), indexing="ij")
    r = (x * 255 // (width - 1) + 37 * f) % 256
    g = (y * 255 // (height - 1) + 53 * f) % 256
    b = ((x // 7 + y // 7 + f) % 2) * 200 + 20 * f
    return np.stack([r, g, b], -1).astype(np.uint8)


def siglip_pixels(frames, size):
    """SigLipImageProcessor: PIL bicubic resize to size x size on uint8, /255, mean = std = 0.5."""
    from PIL import Image
    out = []
    for frame in frames:
        img = Image.fromarray(frame).resize((size, size), Image.BICUBIC)
        out.append((np.asarray(img, np.float32) / 255.0 - 0.5) / 0.5)
    return torch.from_numpy(np.stack(out).transpose(0, 3, 1, 2).copy())


def hub_siglip_names(model, prefix):
    """SiglipVisionModel state dict under `prefix` + "vision_model." (transformers 4.x / hub spelling;
    5.x drops the vision_model level)."""
    out = {}
    for k, v in model.state_dict().items():
        k = k[len("vision_model."):] if k.startswith("vision_model.") else k
        if k.startswith("head."):
            continue
        out[prefix + "vision_model." + k] = v.detach().clone().contiguous()
    return out


def prefill(llm, embeds_LD, mask_LL=None, pos_1L=None):
    L = embeds_LD.shape[0]
    pos = torch.arange(L).view(1, L) if pos_1L is None else pos_1L.view(1, L)
    kw = {}
    if mask_LL is not None:
        additive = torch.zeros(1, 1, L, L)
        additive[0, 0][mask_LL == 0] = torch.finfo(torch.float32).min
        kw["attention_mask"] = {"full_attention": additive}  # a 4-D mask bypasses create_causal_mask
    with torch.no_grad():
        return llm(inputs_embeds=embeds_LD[None], position_ids=pos, use_cache=False, **kw).logits[0]


def greedy(llm, embeds_LD, steps=8):
    """Greedy tokens by full recomputation (no stop token: all `steps` are produced)."""
    x, out = embeds_LD, []
    emb = llm.get_input_embeddings()
    for _ in range(steps):
        token = int(prefill(llm, x)[-1].argmax())
        out.append(token)
        with torch.no_grad():
            x = torch.cat([x, emb(torch.tensor([token]))], 0)
    return torch.tensor(out, dtype=torch.long)


# Method configurations for a 1-D fixture with a `prefix`-token text prefix and 12-token frames
# (tests/*_golden_test.cpp hold the same table): name, mask args, position policy.
def method_configs(prefix):
    return [("M1", ("full",), "retain"), ("M2", ("block", 12), "retain"),
            ("M3", ("star", prefix + 12, prefix + 12), "retain"), ("M4", ("pevlm", 1, 1), "retain"),
            ("M5", ("pevlm", 1, 2), "retain"), ("M6", ("ape", prefix, 12), "retain"), ("M7", ("pevlm", 0, 2), "retain"),
            ("M8", ("ape", prefix, 12), "reuse")]


def method_tensors(llm, embeds_LD, geo, prefix):
    retain = torch.arange(geo.L).view(1, -1)
    out = {}
    for name, margs, policy in method_configs(prefix):
        mask = build_mask(*margs, geo=geo)
        pos = retain.clone() if policy == "retain" else reuse_positions(retain, *margs, geo=geo)
        out[f"{name}.mask"] = mask.contiguous()
        out[f"{name}.position_ids"] = pos.contiguous()
        out[f"{name}.logits"] = prefill(llm, embeds_LD, mask, pos).contiguous()
    return out


def provenance(script, seed):
    try:
        root = Path(__file__).resolve().parent
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True).stdout.strip()
    except OSError:
        head = "unknown"
    import PIL
    return {"transformers_version": transformers.__version__, "torch_version": torch.__version__,
            "pillow_version": PIL.__version__, "numpy_version": np.__version__, "script": script,
            "script_git_commit": head, "seed": str(seed), "device": "cpu", "dtype": "float32",
            "attn_implementation": "eager"}


__all__ = ["Geometry", "TEXT", "VOCAB", "make_siglip", "make_qwen2", "frames_uint8", "siglip_pixels", "hub_siglip_names",
           "prefill", "greedy", "method_tensors", "method_configs", "provenance", "init_weights", "start"]
