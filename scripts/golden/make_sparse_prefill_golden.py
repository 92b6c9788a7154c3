#!/usr/bin/env python3
"""End-to-end golden for the data-dependent methods (issue 25): the tiny Qwen2.5-VL language model
(tests/data/golden/qwen2_5_vl_tiny, transformers, eager attention, float32) prefilled with, in every
layer, the per-head mask that the REFERENCE estimator picks from that layer's post-RoPE Q and K:
  * xattention: x-attention's xattn_estimate (torch path, CPU; shims as in
    make_sparse_estimator_golden.py) -> block mask per head -> token mask with the causal rule of its
    block_sparse_attn_func(is_causal=True);
  * vertical_slash: MInference's vertical_and_slash_kernel indices (its own code, CPU) -> the keys
    its kernel computes. The index conversion is CUDA-only (csrc/vertical_slash_index.cu
    convert_vertical_slash_indexes_kernel, lines 27-99): it is RE-IMPLEMENTED here in Python,
    line by line (`vs_token_mask`), not run.
The masked attention is transformers' own eager_attention_forward called with a per-layer additive
4-D mask [1, Hq, L, L] (the module attribute is wrapped so each layer gets its own mask).
Writes <out>/prefill.safetensors: inputs_embeds [L, hidden] (random, seeded), and per method M:
M.logits [L, V] float32, M.mask uint8 [layers, Hq, L, L]; and cases.json (parameters).
The C++ test (tests/qwen_sparse_prefill_test.cpp) prefills the same embeddings with QwenLlm under the
method: the masks its estimators choose in each layer must equal these and the logits match.
"""
import importlib.util
import json
import math
import os
import sys

import torch
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("est_golden", os.path.join(HERE, "make_sparse_estimator_golden.py"))
est = importlib.util.module_from_spec(spec)
spec.loader.exec_module(est)

L = 300
XA = {"block_tokens": 32, "stride": 8, "threshold": 0.6}
VS = {"vertical_size": 30, "slash_size": 100, "last_q": 64}


def xa_token_mask(xattn_estimate, q_bhld, k_bhld):
    block = XA["block_tokens"]
    # Xattention_prefill's chunk_size rule for this length (the C++ default chunk_tokens: auto).
    p = 1 << (L - 1).bit_length()
    chunk = int(max(min(max(2048, p), 128 * 1024 * 2048 // p), 2048))
    _, masks = xattn_estimate(q_bhld, k_bhld, block_size=block, stride=XA["stride"], threshold=XA["threshold"],
                              chunk_size=chunk, use_triton=False, causal=True)
    nb = (L + block - 1) // block
    blocks = masks[0, :, :nb, :nb]  # [H, nb, nb]
    tok = blocks.repeat_interleave(block, 1).repeat_interleave(block, 2)[:, :L, :L]
    return tok & torch.ones(L, L, dtype=torch.bool).tril()


def vs_token_mask(v_idx, s_idx):
    """Python port of convert_vertical_slash_indexes_kernel (vertical_slash_index.cu lines 27-99),
    BLOCK_SIZE_M = BLOCK_SIZE_N = 64, plus the kernel's causal mask (pit_sparse_flash_attention_v2.py
    line 113) and seqlen mask (line 107)."""
    M = 64
    mask = torch.zeros(L, L, dtype=torch.bool)
    v_list, s_list = v_idx.tolist(), s_idx.tolist()
    nnz_v, nnz_s = len(v_list), len(s_list)
    for bm in range((L + M - 1) // M):
        start_m, end_m = bm * M, bm * M + M
        cols, blocks = [], []
        s = v = 0
        v_i = v_list[v]; v += 1
        s_i = s_list[s]; s += 1
        while s_i >= end_m:
            s_i = s_list[s]; s += 1
        s_i = max(end_m - s_i, M)
        rs, re_ = s_i - M, s_i
        while True:
            if v_i < re_:
                if v_i < rs:
                    cols.append(v_i)
                if v < nnz_v:
                    v_i = v_list[v]; v += 1
                else:
                    v_i = end_m + M
            else:
                if s < nnz_s:
                    s_i = max(end_m - s_list[s], M); s += 1
                else:
                    blocks.append((rs, re_))
                    break
                if s_i > re_ + M:
                    blocks.append((rs, re_))
                    rs, re_ = s_i - M, s_i
                elif s_i > re_:
                    re_ += M
        rows = slice(start_m, min(end_m, L))
        for a, b in blocks:
            mask[rows, a:min(b, L)] = True
        for c in cols:
            mask[rows, c] = True
    return mask & torch.ones(L, L, dtype=torch.bool).tril()


def main():
    import transformers.models.qwen2_5_vl.modeling_qwen2_5_vl as mq
    from transformers import Qwen2_5_VLForConditionalGeneration
    tiny = os.path.join(HERE, "..", "..", "tests", "data", "golden", "qwen2_5_vl_tiny")
    out = os.path.join(HERE, "..", "..", "tests", "data", "golden", "sparse_prefill")
    torch.set_num_threads(1)
    xattn_estimate = est.load_xattention("/work/.mirror/mit-han-lab+x-attention/repo")
    vs_run = est.load_minference("/work/.mirror/microsoft+MInference/repo")
    model = Qwen2_5_VLForConditionalGeneration.from_pretrained(tiny, torch_dtype=torch.float32,
                                                               attn_implementation="eager").eval()
    hidden = model.config.text_config.hidden_size
    g = torch.Generator().manual_seed(11)
    embeds = torch.randn(L, hidden, generator=g)
    pos = torch.arange(L).view(1, 1, L).expand(3, 1, L).contiguous()
    original = mq.eager_attention_forward
    tensors = {"inputs_embeds": embeds}
    for method in ("xattention", "vertical_slash"):
        layer_masks = {}

        def masked(module, query, key, value, attention_mask, scaling, dropout=0.0, **kwargs):
            hq = query.shape[1]
            k_rep = mq.repeat_kv(key, module.num_key_value_groups)
            if method == "xattention":
                tok = xa_token_mask(xattn_estimate, query.contiguous(), k_rep.contiguous())
            else:
                v, s = vs_run(query.contiguous(), k_rep.contiguous(), VS["vertical_size"], VS["slash_size"])
                tok = torch.stack([vs_token_mask(v[h], s[h]) for h in range(hq)])
            layer_masks[module.layer_idx] = tok
            add = torch.zeros(1, hq, L, L).masked_fill(~tok.unsqueeze(0), float("-inf"))
            return original(module, query, key, value, add, scaling, dropout, **kwargs)

        mq.eager_attention_forward = masked
        try:
            with torch.no_grad():
                logits = model(inputs_embeds=embeds.unsqueeze(0), position_ids=pos).logits[0]
        finally:
            mq.eager_attention_forward = original
        tensors[method + ".logits"] = logits.float().contiguous()
        tensors[method + ".mask"] = torch.stack([layer_masks[i] for i in sorted(layer_masks)]).to(torch.uint8).contiguous()
        m = tensors[method + ".mask"]
        dens = m.float().sum().item() / (m.shape[0] * m.shape[1] * L * (L + 1) / 2)
        print(method, "layers", len(layer_masks), "kept density", round(dens, 4))
    os.makedirs(out, exist_ok=True)
    save_file(tensors, os.path.join(out, "prefill.safetensors"))
    os.chmod(os.path.join(out, "prefill.safetensors"), 0o644)
    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump({"generator": "scripts/golden/make_sparse_prefill_golden.py", "length": L, "xattention": XA,
                   "vertical_slash": VS, "torch": torch.__version__}, f, indent=1)
    print("wrote", out)


if __name__ == "__main__":
    sys.exit(main())
