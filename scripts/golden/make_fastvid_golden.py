"""FastVID goldens (DySeg + STPrune + density-based token merging), from the reference's own code paths.

Reference: github LunarShen/FastVID (commit a40a109). FastVID has no importable selection function: DySeg,
STPrune and the merging run inline in the models' forward(), and importing those modules needs the reference's
forks (flash_attn, its LLaVA-NeXT tree, lmms-eval's eval_logger). So the inline branches are transcribed line
for line in fastvid_reference.py (the reference functions named below live there), only the glue replaced:

  qwen2_5_vl_reference   fastvid_qwen25vl/lmms-eval/lmms_eval/models/qwenvlutils/modeling_qwen2_5_vl.py,
                         Qwen2_5_VLForConditionalGeneration.forward, the `if seq_length > 1:` branch (L1891-2097);
                         frame_global_features as in L1859 (the mean of each temporal patch's merged tokens);
                         the saliency as Qwen2_5_VLVisionFlashAttention2.forward L190-203 + the reorder of
                         Qwen2_5_VisionTransformerPretrainedModel.forward L590-594 (qwen_saliency below).
  llava_onevision_reference  fastvid_llavaonevision/LLaVA-NeXT/llava/model/language_model/modeling_qwen2.py,
                         Qwen2Model.forward L900-1066 (a "parallel" variant: equal salient counts per frame,
                         context tokens on every p-th frame from a segment's end merging the whole segment).
  llava_video_reference  fastvid_llavavideo/LLaVA-NeXT/llava/model/language_model/modeling_qwen2.py,
                         Qwen2Model.forward, the `if seq_length > 1: ### FastVID` branch (L893-1063). Glue: the
                         reference hard-codes 64 frames of 13x13 pooled tokens with a newline after every row (14);
                         here the grid (h, w) and the frame count are arguments (14 -> w + 1).

torch.rand in the density step (tie-break noise 1e-6) draws from the global generator: each case seeds it with
torch.manual_seed(SEED) first, and ours draws the same numbers from a CPU generator seeded the same.

Cases: planted segments (synthetic frames whose global features cluster in planted runs, cut by both the c-1
lowest similarities and tau), single-frame segments, Qwen's `ignore` sub-segments, and the tiny fixtures'
captured video embeddings (tests/data/golden/qwen2_5_vl_tiny: vision_embeds, with the saliency of the
reference's last-block attention computed from the fixture's weights; tests/data/golden/llava_video_tiny:
video_tokens_average_grid, with a synthetic saliency and global features -- the reference's LLaVA-Video saliency
comes from a separately loaded SigLIP attention-pooling head the tiny fixture does not have).

The case llava_tiny_head takes the reference's LLaVA-Video signals instead: a tiny SigLIP release written by
transformers (tests/data/golden/siglip_tiny_release, SiglipModel.save_pretrained as the hub's so400m folder) and
its post_layernorm + attention-pooling head on the fixture's vision_features (llava_head_signals).

Written: tests/data/reduction/fastvid_golden.safetensors, per case `<case>.frames` [F, T(+newlines), D],
`<case>.saliency` [F, T], `<case>.global` [F, G], `<case>.params` (float64: variant, retention, c, tau, ignore,
d, p, beta, seed, grid_w), `<case>.segments`, `<case>.kept` (indices within the video) and `<case>.tokens`.

Usage: .venv/bin/python scripts/golden/make_fastvid_golden.py
"""
import math
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fastvid_reference import llava_onevision_reference, llava_video_reference, qwen2_5_vl_reference  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
QWEN, LLAVA, ONEVISION = 0, 1, 2


class Params:
    def __init__(self, variant, retention, c, tau, ignore, d, p, beta, seed=0, grid_w=0):
        self.variant, self.retention, self.c, self.tau, self.ignore = variant, retention, c, tau, ignore
        self.d, self.p, self.beta, self.seed, self.grid_w = d, p, beta, seed, grid_w

    def tensor(self):
        return torch.tensor([self.variant, self.retention, self.c, self.tau, self.ignore, self.d, self.p,
                             self.beta, self.seed, self.grid_w], dtype=torch.float64)


def qwen_saliency(fixture, golden):
    """The reference's saliency on the tiny Qwen2.5-VL fixture: the last vision block's attention of each temporal
    patch's mean query to its keys averaged over each 2x2 merge group (modeling_qwen2_5_vl.py L190-203), in raster
    order (L590-594). The block input is the fixture's captured vision_block{depth-2}_out (window order)."""
    import json
    cfg = json.loads((fixture / "config.json").read_text())["vision_config"]
    depth, heads = cfg["depth"], cfg["num_heads"]
    weights = load_file(str(fixture / "model.safetensors"))
    pre = f"visual.blocks.{depth - 1}."
    if pre + "norm1.weight" not in weights:
        pre = f"model.visual.blocks.{depth - 1}."
    x = golden[f"vision_block{depth - 2}_out"].float()
    norm_w = weights[pre + "norm1.weight"].float()
    x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * norm_w  # Qwen2RMSNorm, eps 1e-6 (L347)
    qkv = torch.nn.functional.linear(x, weights[pre + "attn.qkv.weight"].float(), weights[pre + "attn.qkv.bias"].float())
    seq_length = x.shape[0]
    q, k, v = qkv.reshape(seq_length, 3, heads, -1).permute(1, 0, 2, 3).unbind(0)
    window_index = golden["vision_window_index"].long()
    rot = golden["vision_rot_pos_emb"].float()  # patch order; the reference reorders it by window (L548-550)
    rot = rot.reshape(seq_length // 4, 4, -1)[window_index].reshape(seq_length, -1)
    emb = torch.cat((rot, rot), dim=-1)
    cos, sin = emb.cos(), emb.sin()

    def rotate_half(t):
        t1, t2 = t[..., : t.shape[-1] // 2], t[..., t.shape[-1] // 2:]
        return torch.cat((-t2, t1), dim=-1)

    # apply_rotary_pos_emb_vision (L227-239): cos/sin unsqueezed on the head axis, float math
    cos_, sin_ = cos.unsqueeze(-2).float(), sin.unsqueeze(-2).float()
    q_attn = (q.float() * cos_) + (rotate_half(q.float()) * sin_)
    k_attn = (k.float() * cos_) + (rotate_half(k.float()) * sin_)
    q_attn, k_attn = q_attn.transpose(0, 1), k_attn.transpose(0, 1)
    grid_t, grid_h, grid_w = [int(v) for v in golden["video_grid_thw"][0]]
    head_dim = q.shape[-1]
    q_attn = q_attn.reshape(heads, grid_t, grid_h * grid_w, head_dim).mean(-2, keepdim=True)
    k_attn = k_attn.reshape(heads, grid_t, grid_h * grid_w // 4, 4, head_dim).mean(-2)
    attn_weights = torch.matmul(q_attn, k_attn.transpose(-2, -1)) / math.sqrt(head_dim)
    attn_weights = torch.nn.functional.softmax(attn_weights, dim=-1, dtype=torch.float32).to(q_attn.dtype)
    attn_weights = attn_weights.mean(2).mean(0)
    reverse_indices = torch.argsort(window_index)
    attn_weights = attn_weights.reshape(-1)[reverse_indices]
    return attn_weights.reshape(grid_t, -1)


def write_siglip_release(dest, vision):
    """A tiny SigLIP release folder as transformers writes google/siglip-so400m-patch14-384 (SiglipModel:
    config.json model_type "siglip" with vision_config / text_config, vision_model.* and text_model.* tensors),
    the vision tower's dimensions those of the LLaVA-Video fixture's tower. Returns the model."""
    from transformers import SiglipConfig, SiglipModel
    torch.manual_seed(2026)
    config = SiglipConfig(
        vision_config={k: vision[k] for k in ("hidden_size", "intermediate_size", "num_hidden_layers",
                                              "num_attention_heads", "image_size", "patch_size")},
        text_config={"vocab_size": 64, "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 1,
                     "num_attention_heads": 4, "max_position_embeddings": 16, "projection_size": 32,
                     "bos_token_id": 0, "eos_token_id": 1, "pad_token_id": 1})
    model = SiglipModel(config).eval()
    with torch.no_grad():  # init leaves biases zero and LayerNorms at identity: give every head tensor values
        vm = model.vision_model
        for p in list(vm.post_layernorm.parameters()) + list(vm.head.parameters()):
            p.copy_(p + 0.2 * torch.randn_like(p))
    model.save_pretrained(str(dest))
    return model


def llava_head_signals(model, features):
    """FastVID's LLaVA-Video saliency and global features from the SigLIP release's head, transcribed from the
    reference: siglip_encoder.py SigLipVisionAbstract.forward (post_layernorm, then the head) and
    SigLipMultiheadAttentionPoolingHead.forward (L470-480: nn.MultiheadAttention with its default need_weights,
    i.e. the weights averaged over heads, [F, 1, N]), then llava_arch.py get_attn_2dPool (L188-197: view
    [F, 1, g, g], avg_pool2d(2), flattened). `features` [F, g*g, D]: the tower's output the reference feeds it
    (encode_images L219-223: get_vision_tower()(images), all layers but the last, no post_layernorm)."""
    vm = model.vision_model
    with torch.no_grad():
        last_hidden_state = vm.post_layernorm(features)
        probe = vm.head.probe.repeat(features.shape[0], 1, 1)
        hidden_state, attn_weights = vm.head.attention(probe, last_hidden_state, last_hidden_state)
        residual = hidden_state
        hidden_state = vm.head.layernorm(hidden_state)
        hidden_state = residual + vm.head.mlp(hidden_state)
        pooled = hidden_state[:, 0]
        # transformers' own head gives the same pooled output (it drops the weights).
        assert torch.allclose(pooled, vm.head(last_hidden_state), atol=1e-6)
        frames, _, tokens = attn_weights.shape
        side = int(round(math.sqrt(tokens)))
        pooled_attn = torch.nn.functional.avg_pool2d(attn_weights.view(frames, 1, side, side), 2)
    return pooled, attn_weights.reshape(frames, tokens), pooled_attn.reshape(frames, -1)


def reduced_prefill_logits(fixture, embeds_LD, video_begin, video_len, kept, tokens):
    """transformers' Qwen2ForCausalLM (the fixture's LLM weights, eager, fp32) on the reduced prompt: the text rows
    of the fixture's inputs_embeds, the kept video rows (`tokens`, merged context rows included), each at its
    original position (the reference's position_ids = keep_indexs). Returns (logits [L', V], positions [L'])."""
    import json
    from transformers import Qwen2Config, Qwen2ForCausalLM
    cfg = json.loads((fixture / "config.json").read_text())
    keys = ("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
            "num_key_value_heads", "hidden_act", "rms_norm_eps", "max_position_embeddings", "rope_theta",
            "tie_word_embeddings")
    config = Qwen2Config(**{k: cfg[k] for k in keys})
    config._attn_implementation = "eager"
    llm = Qwen2ForCausalLM(config).float().eval()
    weights = load_file(str(fixture / "model.safetensors"))
    state = {k: v.float() for k, v in weights.items()
             if k == "lm_head.weight" or (k.startswith("model.") and not k.startswith(("model.vision_tower",
                                                                                     "model.mm_projector",
                                                                                     "model.image_newline")))}
    missing, unexpected = llm.load_state_dict(state, strict=False)
    assert not unexpected and all("rotary" in m for m in missing), (missing, unexpected)
    L = embeds_LD.shape[0]
    before, after = torch.arange(video_begin), torch.arange(video_begin + video_len, L)
    positions = torch.cat([before, kept + video_begin, after])
    x = torch.cat([embeds_LD[:video_begin], tokens, embeds_LD[video_begin + video_len:]])
    # A 4-D causal mask, as the reference slices its causal_mask to the kept rows (L1062-1064): without one,
    # transformers' create_causal_mask reads gapped position_ids as packed sequences (a new document at every
    # gap, find_packed_sequence_indices) and masks across the gaps.
    n = x.shape[0]
    additive = torch.zeros(1, 1, n, n)
    additive[0, 0][torch.ones(n, n, dtype=torch.bool).triu(1)] = torch.finfo(torch.float32).min
    with torch.no_grad():
        logits = llm(inputs_embeds=x[None], position_ids=positions.view(1, -1), use_cache=False,
                     attention_mask={"full_attention": additive}).logits[0]
    return logits, positions


def planted(frames, tokens, dim, runs, gen):
    """Frames whose tokens share a per-run base direction: adjacent frames in a run are near-identical."""
    x = torch.empty(frames, tokens, dim)
    f = 0
    for length in runs:
        base = torch.randn(tokens, dim, generator=gen)
        for _ in range(length):
            x[f] = base + 0.05 * torch.randn(tokens, dim, generator=gen)
            f += 1
    return x


def run_case(out, name, variant, frames, saliency, global_features, P, frame_num=None):
    torch.manual_seed(P.seed)
    if variant == QWEN:
        sizes, kept, tokens = qwen2_5_vl_reference(frames, saliency, global_features, P)
    elif variant == ONEVISION:
        sizes, kept, tokens = llava_onevision_reference(frames, saliency, global_features, P)
    else:
        sizes, kept, tokens = llava_video_reference(frames.reshape(-1, frames.shape[-1]), saliency,
                                                    global_features, P, frame_num)
    out[f"{name}.frames"] = frames.clone().contiguous()
    out[f"{name}.saliency"] = saliency.clone().contiguous()
    out[f"{name}.global"] = global_features.clone().contiguous()
    out[f"{name}.params"] = P.tensor()
    out[f"{name}.segments"] = torch.tensor(sizes, dtype=torch.int64)
    out[f"{name}.kept"] = kept.to(torch.int64)
    out[f"{name}.tokens"] = tokens.contiguous()
    print(f"{name}: segments {sizes}, kept {kept.numel()} of {frames.shape[0] * frames.shape[1]}")


def main():
    out = {}
    gen = torch.Generator().manual_seed(26)
    # Planted segments, Qwen2.5-VL variant: runs 3, 4, 2, 3 over 12 temporal patches; c = 3 cuts the two lowest
    # similarities, tau cuts the third planted boundary; `ignore` 0.95 > the in-run similarity splits nothing.
    x = planted(12, 16, 24, [3, 4, 2, 3], gen)
    g = x.mean(1)
    s = torch.rand(12, 16, generator=gen)
    run_case(out, "qwen_planted", QWEN, x, s, g, Params(QWEN, 0.27, 3, 0.84, 0.95, 0.4, 4, 0.6, seed=7))
    # The same frames with Qwen's `ignore` above the in-run similarity (every frame its own sub-segment) and p 2.
    run_case(out, "qwen_ignore", QWEN, x, s, g, Params(QWEN, 0.5, 2, 0.5, 0.99995, 0.4, 2, 0.6, seed=3))
    # Qwen's defaults on 16 patches with runs of 1 (single-frame segments) and a long run.
    x = planted(16, 20, 32, [1, 1, 6, 2, 1, 5], gen)
    run_case(out, "qwen_defaults", QWEN, x, torch.rand(16, 20, generator=gen), x.mean(1),
             Params(QWEN, 0.27, 8, 0.84, 0.95, 0.4, 4, 0.6, seed=11))
    # Ties decided by the density noise: every frame holds 4 tokens repeated 4 times (equal densities within each
    # group, equal distance indicators), so which duplicate becomes a context token is the seeded torch.rand's.
    base = torch.randn(6, 4, 16, generator=gen)
    x = base.repeat_interleave(4, dim=1)
    run_case(out, "qwen_ties", QWEN, x, torch.rand(6, 16, generator=gen), x.mean(1) + torch.randn(6, 16, generator=gen),
             Params(QWEN, 0.5, 2, 0.84, 0.95, 0.4, 1, 0.6, seed=1234))
    # LLaVA-Video variant, planted: 10 frames of a 4x4 grid + a newline per row (20 tokens a frame).
    grid = planted(10, 16, 24, [2, 5, 3], gen).reshape(10, 4, 4, 24)
    newline = torch.randn(24, generator=gen)
    with_rows = torch.cat([grid, newline.expand(10, 4, 1, 24)], dim=2).reshape(10, 20, 24)
    run_case(out, "llava_planted", LLAVA, with_rows, torch.rand(10, 16, generator=gen),
             grid.mean((1, 2))[:, :12] + 0.01 * torch.randn(10, 12, generator=gen),
             Params(LLAVA, 0.5, 3, 0.9, 0.0, 0.4, 4, 0.6, seed=5, grid_w=4), frame_num=10)
    run_case(out, "llava_defaults", LLAVA, with_rows, torch.rand(10, 16, generator=gen),
             grid.mean((1, 2)), Params(LLAVA, 0.25, 8, 0.9, 0.0, 0.4, 4, 0.6, seed=9, grid_w=4),
             frame_num=10)
    # The tiny fixtures' captured video embeddings.
    fixture = ROOT / "tests" / "data" / "golden" / "qwen2_5_vl_tiny"
    golden = load_file(str(fixture / "golden.safetensors"))
    t, h, w = [int(v) for v in golden["video_grid_thw"][0]]
    emb = golden["vision_embeds"].float().reshape(t, h * w // 4, -1)
    run_case(out, "qwen_tiny", QWEN, emb, qwen_saliency(fixture, golden), emb.mean(1),
             Params(QWEN, 0.5, 2, 0.84, 0.95, 0.4, 4, 0.6, seed=0))
    lv = load_file(str(ROOT / "tests" / "data" / "golden" / "llava_video_tiny" / "golden.safetensors"))
    tokens = lv["video_tokens_average_grid"].float()  # 3 frames x 3 rows x (3 + newline)
    frames = tokens.reshape(3, 12, -1)
    run_case(out, "llava_tiny", LLAVA, frames, torch.rand(3, 9, generator=gen), torch.randn(3, 16, generator=gen),
             Params(LLAVA, 0.5, 2, 0.9, 0.0, 0.4, 4, 0.6, seed=0, grid_w=3), frame_num=3)
    # The tiny fixture with FastVID's LLaVA-Video signals from a SigLIP release's head (the reference's
    # SigLipVisionAbstract): the release written by transformers, the signals from the fixture's tower features.
    import json
    vision = json.loads((ROOT / "tests" / "data" / "golden" / "llava_video_tiny" / "config.json").read_text())["vision_config"]
    release = write_siglip_release(ROOT / "tests" / "data" / "golden" / "siglip_tiny_release", vision)
    pooled, head_attn, saliency = llava_head_signals(release, lv["vision_features"].float())
    out["llava_tiny_head.head_attention"] = head_attn.contiguous()
    run_case(out, "llava_tiny_head", LLAVA, frames, saliency, pooled,
             Params(LLAVA, 0.5, 2, 0.9, 0.0, 0.4, 4, 0.6, seed=0, grid_w=3), frame_num=3)
    # Prefill after the reduction: the fixture's prompt (4 text tokens, the 36 video rows, 8 question tokens) with
    # the video reduced as above, in transformers.
    logits, positions = reduced_prefill_logits(ROOT / "tests" / "data" / "golden" / "llava_video_tiny",
                                               lv["inputs_embeds"].float(), 4, 36, out["llava_tiny_head.kept"],
                                               out["llava_tiny_head.tokens"])
    out["llava_tiny_head.reduced_logits"] = logits.contiguous()
    out["llava_tiny_head.reduced_positions"] = positions.to(torch.int64).contiguous()
    # LLaVA-OneVision variant (bilinear-pooled frames, one newline after the video, outside the frames here).
    # Planted runs 2, 5, 3 over 10 frames of 16 tokens: p 2 gives the 5-frame segment 3 anchors, the 2-frame one 1.
    x = planted(10, 16, 24, [2, 5, 3], gen)
    run_case(out, "onevision_planted", ONEVISION, x, torch.rand(10, 16, generator=gen),
             x.mean(1) + 0.01 * torch.randn(10, 24, generator=gen), Params(ONEVISION, 0.5, 3, 0.9, 0.0, 0.4, 2, 0.6, seed=4))
    # The reference's defaults (retention 0.1 of 196 tokens -> 19: 12 salient + 7 context) on 12 frames; runs of 1
    # (single-frame segments) and 4 (p 4: one anchor, 28 context tokens from its 184 filtered tokens).
    x = planted(12, 196, 16, [1, 4, 1, 6], gen)
    run_case(out, "onevision_defaults", ONEVISION, x, torch.rand(12, 196, generator=gen), x.mean(1),
             Params(ONEVISION, 0.1, 8, 0.9, 0.0, 0.4, 4, 0.6, seed=21))
    # The tiny fixture's bilinear frames (3 x 4 x 4 + the trailing newline) with the head's attention interpolated
    # as get_attn_2dPool does for mm_spatial_pool_mode "bilinear" (fastvid_llavaonevision llava_arch.py L188-199).
    bil = lv["video_tokens_bilinear_one_token"].float()[:-1].reshape(3, 16, -1)
    attn7 = head_attn.reshape(3, 1, 7, 7)
    sal = torch.nn.functional.interpolate(attn7, size=[4, 4], mode="bilinear").reshape(3, 16)
    run_case(out, "onevision_tiny_head", ONEVISION, bil, sal, pooled, Params(ONEVISION, 0.5, 2, 0.9, 0.0, 0.4, 4, 0.6, seed=0))
    dest = ROOT / "tests" / "data" / "reduction" / "fastvid_golden.safetensors"
    save_file(out, str(dest), metadata={"reference": "LunarShen/FastVID a40a109", "torch": torch.__version__})
    print("wrote", dest)


if __name__ == "__main__":
    main()
