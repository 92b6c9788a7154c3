#!/usr/bin/env python3
"""Goldens for the data-dependent methods' estimators (issue 25), from the reference code itself.

Runs, on CPU, the reference repositories' own estimator functions:
  * mit-han-lab/x-attention  xattn/src/Xattention.py `xattn_estimate` (torch path, use_triton=False)
    with xattn/src/utils.py `find_blocks_chunked`;
  * microsoft/MInference     minference/modules/minference_forward.py `minference_prefill_kernel`
    (its nested `vertical_and_slash_kernel`) and `sum_all_diagonal_matrix`.
Nothing is copied into this repository: the sources are read from local git mirrors (--xattn-git,
--minference-git: bare repositories as the `fetch` tool leaves them, read with `git show HEAD:path`)
and executed with small shims, all listed here:
  * x-attention: the module's imports of its Triton kernels and of `block_sparse_attn` (CUDA-only,
    unused with use_triton=False) are replaced by stubs; the literal device "cuda" is replaced by
    "cpu" (the torch path moves tensors with .to("cuda")).
  * MInference: only the two functions are taken from the module (by `ast`), executed with torch,
    math, a CPU LAST_Q_MASK (module line 43, 64 x 64 lower triangle) and, for
    `vertical_slash_sparse_attention` (Triton/CUDA), a stub that records the indices it receives,
    sorted as the real function does first (ops/pit_sparse_flash_attention_v2.py lines 218-219).
Inputs: synthetic Q/K with planted structure (generator `planted_qk` below: sink columns, local
diagonals, frame-periodic diagonals; per head random strengths) and plain random Q/K; float32;
GQA (the references take repeat_kv'd keys: query head h uses KV head h // (Hq // Hkv)).
Output: <out>/estimators.safetensors with, per case C: C.q [L, Hq, D], C.k [L, Hkv, D] and
  xattention cases: C.mask uint8 [Hq, nb, nb] (x-attention's simple_masks[0, :, :nb, :nb]);
  vertical-slash cases: C.vertical int64 [Hq, nv] (ascending), C.slash int64 [Hq, ns] (descending);
and cases.json with the parameters of every case.
"""
import argparse
import ast
import json
import math
import os
import subprocess
import sys
import types

import numpy as np
import torch
from safetensors.torch import save_file


def git_show(git_dir, path):
    return subprocess.run(["git", "--git-dir", git_dir, "show", "HEAD:" + path], check=True, capture_output=True,
                          text=True).stdout


def load_xattention(git_dir):
    utils_src = git_show(git_dir, "xattn/src/utils.py").replace('"cuda"', '"cpu"')
    ns = {}
    exec(compile(utils_src, "x-attention/xattn/src/utils.py", "exec"), ns)
    src = git_show(git_dir, "xattn/src/Xattention.py")
    # Shim: drop the imports of the Triton kernels / block_sparse_attn (unused with use_triton=False).
    lines = []
    skip = False
    for line in src.splitlines():
        if line.startswith("from xattn.src.utils import"):
            continue
        if line.startswith("from xattn.src.kernels import"):
            skip = True
            continue
        if skip:
            if line.strip().endswith(")"):
                skip = False
            continue
        if line.startswith("from block_sparse_attn import"):
            continue
        lines.append(line)
    src = "\n".join(lines).replace('"cuda"', '"cpu"')
    exec(compile(src, "x-attention/xattn/src/Xattention.py", "exec"), ns)
    return ns["xattn_estimate"]


def load_minference(git_dir):
    src = git_show(git_dir, "minference/modules/minference_forward.py")
    tree = ast.parse(src)
    wanted = {"sum_all_diagonal_matrix", "minference_prefill_kernel"}
    funcs = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in wanted]
    assert {f.name for f in funcs} == wanted, "reference functions not found"
    module = ast.Module(body=funcs, type_ignores=[])
    captured = {}

    def vertical_slash_sparse_attention(q, k, v, v_idx, s_idx):
        # The real function's first steps (pit_sparse_flash_attention_v2.py lines 218-219).
        b, h = q.shape[0], q.shape[1]
        captured["v"] = v_idx.to(torch.int32).reshape((b, h, -1)).sort(dim=-1, descending=False)[0]
        captured["s"] = s_idx.to(torch.int32).reshape((b, h, -1)).sort(dim=-1, descending=True)[0]
        return q

    arange = torch.arange(64)
    ns = {"torch": torch, "math": math, "LAST_Q_MASK": arange[None, None, :, None] >= arange[None, None, None, :],
          "vertical_slash_sparse_attention": vertical_slash_sparse_attention, "streaming_forward": None,
          "block_sparse_attention": None}
    exec(compile(module, "MInference/minference/modules/minference_forward.py", "exec"), ns)

    def run(q_bhld, k_bhld, vertical_size, slash_size):
        config = {"best_pattern": [{"0": ["vertical_and_slash", vertical_size, slash_size, 1]}]}
        vs, ss = [], []
        for h in range(q_bhld.shape[1]):
            ns["minference_prefill_kernel"](q_bhld[:, h:h + 1], k_bhld[:, h:h + 1], k_bhld[:, h:h + 1], 0, 0, config)
            vs.append(captured["v"][0, 0].to(torch.int64))
            ss.append(captured["s"][0, 0].to(torch.int64))
        return torch.stack(vs), torch.stack(ss)

    return run


def planted_qk(L, hq, hkv, d, frame_tokens, sink_tokens, seed):
    """Q/K whose attention has video-like structure, per head with random strengths:
    sink columns (keys 0..sink_tokens-1 share a direction every query has), local diagonals (a
    low-frequency rotary pair: q_i . k_j ~ cos(w (i - j))), and frame-periodic diagonals (tokens at
    the same position within a frame share a random code: peaks at j = i - m * frame_tokens)."""
    g = torch.Generator().manual_seed(seed)
    q = torch.randn(L, hq, d, generator=g) * 0.3
    k = torch.randn(L, hkv, d, generator=g) * 0.3
    pos = torch.arange(L, dtype=torch.float32)
    codes = torch.randn(frame_tokens, d // 2, generator=g)
    codes = codes / codes.norm(dim=-1, keepdim=True)
    group = hq // hkv
    for kv in range(hkv):
        k[:sink_tokens, kv, 0] += 4.0
        w = 2 * math.pi / 256
        k[:, kv, 2] += 2.0 * torch.cos(w * pos)
        k[:, kv, 3] += 2.0 * torch.sin(w * pos)
        k[:, kv, d // 2:] += 1.5 * codes[(pos.long() % frame_tokens)]
    for h in range(hq):
        s_sink, s_local, s_frame = (torch.rand(3, generator=g) * 2.0).tolist()
        q[:, h, 0] += s_sink * 2.0
        w = 2 * math.pi / 256
        q[:, h, 2] += s_local * 2.0 * torch.cos(w * pos)
        q[:, h, 3] += s_local * 2.0 * torch.sin(w * pos)
        q[:, h, d // 2:] += s_frame * 1.5 * codes[(pos.long() % frame_tokens)]
    # Sharpen: logits of a few units, as trained heads have (uniform attention would keep everything).
    return (q * 3.0).contiguous(), k.contiguous()


def tiny_model_qk(model_dir, length, seed):
    """Post-RoPE Q/K of every layer of the tiny Qwen2.5-VL checkpoint (tests/data/golden/qwen2_5_vl_tiny)
    on `length` random text tokens, captured by wrapping transformers' apply_rotary_pos_emb in
    modeling_qwen2_5_vl (the text attention's only RoPE call). Returns [(q [L, Hq, D], k [L, Hkv, D])]."""
    import transformers.models.qwen2_5_vl.modeling_qwen2_5_vl as mq
    from transformers import Qwen2_5_VLForConditionalGeneration
    model = Qwen2_5_VLForConditionalGeneration.from_pretrained(model_dir, torch_dtype=torch.float32,
                                                               attn_implementation="eager").eval()
    captured = []
    original = mq.apply_rotary_pos_emb

    def recording(q, k, cos, sin, *args, **kwargs):
        q2, k2 = original(q, k, cos, sin, *args, **kwargs)
        captured.append((q2[0].permute(1, 0, 2).contiguous().clone(), k2[0].permute(1, 0, 2).contiguous().clone()))
        return q2, k2

    mq.apply_rotary_pos_emb = recording
    try:
        g = torch.Generator().manual_seed(seed)
        vocab = model.config.text_config.vocab_size if hasattr(model.config, "text_config") else model.config.vocab_size
        ids = torch.randint(0, min(vocab, 5000), (1, length), generator=g)
        with torch.no_grad():
            model(input_ids=ids)
    finally:
        mq.apply_rotary_pos_emb = original
    return captured


def repeat_kv_bhld(x_lhd, hq):
    hkv = x_lhd.shape[1]
    return x_lhd.permute(1, 0, 2).repeat_interleave(hq // hkv, 0).unsqueeze(0).contiguous()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--xattn-git", default="/work/.mirror/mit-han-lab+x-attention/repo")
    ap.add_argument("--minference-git", default="/work/.mirror/microsoft+MInference/repo")
    here = os.path.dirname(os.path.abspath(__file__))
    golden = os.path.join(here, "..", "..", "tests", "data", "golden")
    ap.add_argument("--tiny-model", default=os.path.join(golden, "qwen2_5_vl_tiny"))
    ap.add_argument("--out", default=os.path.join(golden, "sparse_estimators"))
    a = ap.parse_args()
    torch.set_num_threads(1)
    xattn_estimate = load_xattention(a.xattn_git)
    vs_run = load_minference(a.minference_git)
    tensors, cases = {}, {}

    def add_qk(name, q, k):
        tensors[name + ".q"] = q.clone()
        tensors[name + ".k"] = k.clone()

    # XAttention: (name, L, Hq, Hkv, D, block, stride, tau, chunk, planted?)
    # Sizes are kept small (the fixture lives in the repository, a few MB): D = 32, GQA groups of 2 and 3,
    # the chunked path over three reference chunks ending in a partial block.
    x_cases = [("xa_planted_1000", 1000, 4, 2, 32, 128, 8, 0.9, 16384, True),
               ("xa_planted_2100_chunked", 2100, 2, 1, 32, 128, 16, 0.9, 1024, True),
               ("xa_planted_777_b64", 777, 6, 2, 32, 64, 16, 0.8, 16384, True),
               ("xa_random_640", 640, 2, 1, 32, 128, 8, 0.9, 16384, False)]
    for i, (name, L, hq, hkv, d, block, stride, tau, chunk, planted) in enumerate(x_cases):
        if planted:
            q, k = planted_qk(L, hq, hkv, d, frame_tokens=96, sink_tokens=20, seed=100 + i)
        else:
            g = torch.Generator().manual_seed(200 + i)
            q, k = torch.randn(L, hq, d, generator=g), torch.randn(L, hkv, d, generator=g)
        _, masks = xattn_estimate(q.permute(1, 0, 2).unsqueeze(0).contiguous(), repeat_kv_bhld(k, hq), block_size=block,
                                  stride=stride, threshold=tau, chunk_size=chunk, use_triton=False, causal=True)
        nb = (L + block - 1) // block
        add_qk(name, q, k)
        tensors[name + ".mask"] = masks[0, :, :nb, :nb].to(torch.uint8).contiguous()
        cases[name] = {"method": "xattention", "block_tokens": block, "stride": stride, "threshold": tau,
                       "reference_chunk_size": chunk}
        print(name, "kept blocks", int(masks[0, :, :nb, :nb].sum()), "of", hq * nb * (nb + 1) // 2)
    # Vertical-slash: (name, L, Hq, Hkv, D, vertical, slash, planted?)
    # "defaults": MInference's vertical_size 1000 / slash_size 6096, both beyond this length (its clamping).
    v_cases = [("vs_planted_1000", 1000, 4, 2, 32, 40, 100, True),
               ("vs_planted_1500_defaults", 1500, 2, 1, 32, 1000, 6096, True),
               ("vs_planted_1600", 1600, 2, 1, 32, 100, 300, True),
               ("vs_random_700", 700, 2, 1, 32, 64, 128, False)]
    for i, (name, L, hq, hkv, d, vsz, ssz, planted) in enumerate(v_cases):
        if planted:
            q, k = planted_qk(L, hq, hkv, d, frame_tokens=96, sink_tokens=20, seed=300 + i)
        else:
            g = torch.Generator().manual_seed(400 + i)
            q, k = torch.randn(L, hq, d, generator=g), torch.randn(L, hkv, d, generator=g)
        v, s = vs_run(q.permute(1, 0, 2).unsqueeze(0).contiguous(), repeat_kv_bhld(k, hq), vsz, ssz)
        add_qk(name, q, k)
        tensors[name + ".vertical"] = v.contiguous()
        tensors[name + ".slash"] = s.contiguous()
        cases[name] = {"method": "vertical_slash", "vertical_size": vsz, "slash_size": ssz, "last_q": 64}
        print(name, "vertical", tuple(v.shape), "slash", tuple(s.shape))
    # Q/K captured from the tiny model (both layers), through both reference estimators.
    tiny = tiny_model_qk(a.tiny_model, 600, seed=7)
    for layer, (q, k) in enumerate(tiny):
        hq = q.shape[1]
        name = "xa_tiny_layer%d" % layer
        # The tiny model's heads on random text attend nearly uniformly: at tau = 0.9 every block is kept,
        # so these cases use smaller blocks and tau = 0.6 for a selection that keeps some and drops some.
        _, masks = xattn_estimate(q.permute(1, 0, 2).unsqueeze(0).contiguous(), repeat_kv_bhld(k, hq), block_size=32,
                                  stride=8, threshold=0.6, chunk_size=16384, use_triton=False, causal=True)
        nb = (q.shape[0] + 31) // 32
        add_qk(name, q, k)
        tensors[name + ".mask"] = masks[0, :, :nb, :nb].to(torch.uint8).contiguous()
        cases[name] = {"method": "xattention", "block_tokens": 32, "stride": 8, "threshold": 0.6,
                       "reference_chunk_size": 16384, "source": "tiny model layer %d" % layer}
        print(name, "kept blocks", int(masks[0, :, :nb, :nb].sum()), "of", hq * nb * (nb + 1) // 2)
        name = "vs_tiny_layer%d" % layer
        v, s_ = vs_run(q.permute(1, 0, 2).unsqueeze(0).contiguous(), repeat_kv_bhld(k, hq), 64, 128)
        add_qk(name, q, k)
        tensors[name + ".vertical"] = v.contiguous()
        tensors[name + ".slash"] = s_.contiguous()
        cases[name] = {"method": "vertical_slash", "vertical_size": 64, "slash_size": 128, "last_q": 64,
                       "source": "tiny model layer %d" % layer}
    os.makedirs(a.out, exist_ok=True)
    save_file(tensors, os.path.join(a.out, "estimators.safetensors"))
    os.chmod(os.path.join(a.out, "estimators.safetensors"), 0o644)
    with open(os.path.join(a.out, "cases.json"), "w") as f:
        json.dump({"generator": "scripts/golden/make_sparse_estimator_golden.py", "torch": torch.__version__,
                   "x-attention": subprocess.run(["git", "--git-dir", a.xattn_git, "rev-parse", "HEAD"], capture_output=True,
                                                 text=True).stdout.strip(),
                   "MInference": subprocess.run(["git", "--git-dir", a.minference_git, "rev-parse", "HEAD"],
                                                capture_output=True, text=True).stdout.strip(),
                   "cases": cases}, f, indent=1)
    print("wrote", a.out)


if __name__ == "__main__":
    sys.exit(main())
