#!/usr/bin/env python3
"""Golden fixtures for the tiny random Qwen2.5-VL, computed by Hugging Face transformers 5.x.

Usage: make_qwen_golden.py OUT_DIR [--seed N]
Writes OUT_DIR/qwen2_5_vl_tiny/ (config + weights via save_pretrained, golden.safetensors,
manifest.json, README.md) and OUT_DIR/qwen2_5_vl_tiny_methods/methods.safetensors (A1..A8).

Mirrors the transformers-4.50 fixture of ../shared/golden (same model recipe, same synthetic
frames, same prompt, same tensor names; see its README.md). Differences from 4.50 that show up in
the output (transformers/models/qwen2_5_vl/modeling_qwen2_5_vl.py, 5.x):
  * In memory the modules are `model.language_model.*` / `model.visual.*` (4.50: `model.*`,
    `visual.*`). save_pretrained of 5.23 reverses its checkpoint conversion mapping and writes the
    Hub names (`model.*`, `visual.*`) again; manifest.json records the names actually written.
    config.json nests the LLM under "text_config" and names the rope object "rope_parameters".
  * get_rope_index: text after a video continues at start + max(grid_h, grid_w) / merge
    (spatial extent) instead of max(all video positions) + 1 (4.50). For the fixture prompt the
    question starts at 9 instead of 10; rope_deltas is -32 instead of -31.
  * get_rope_index needs `mm_token_type_ids` (0 text, 1 image, 2 video) and 5.x forward/generate
    only compute 3-D positions when it is passed.
  * rotary_emb returns cos/sin already mixed by mrope_section; the per-row tables (4.50's
    text_rope_cos/sin layout) are obtained by calling it with one position row on all 3 axes.
  * get_vision_window_index returns cu_window_seqlens already unique_consecutive'd, so
    `vision_cu_window_seqlens_raw` is not available and not written.
  * The video processor (Qwen2VLVideoProcessor) needs torchvision; the image processor's PIL
    backend handles single images only. Frames are therefore resized / rescaled / normalised by
    the PIL backend's own methods (frame by frame, as 4.50's image processor did) and patchified
    in the documented video order (see patchify_video).
"""
import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch
import transformers
from safetensors.torch import save_file
from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration

sys.path.insert(0, str(Path(__file__).resolve().parent))
from qwen_golden_methods import build_method_tensors  # noqa: E402
from video_llm_golden import init_weights  # noqa: E402

BOS, EOS, PAD, VSTART, VEND, IMAGE, VIDEO = 0, 1, 2, 150, 151, 152, 153
PROMPT = [3, 17, 42, 5, VSTART] + [VIDEO] * 36 + [VEND, 60, 61, 4, 3, 99, 5]
MIN_PIXELS, MAX_PIXELS, PATCH, TPATCH, MERGE = 3136, 50176, 14, 2, 2


def make_config():
    text = dict(vocab_size=160, hidden_size=64, intermediate_size=112, num_hidden_layers=2,
                num_attention_heads=4, num_key_value_heads=2, hidden_act="silu", rms_norm_eps=1e-6,
                max_position_embeddings=4096, use_sliding_window=False, attention_dropout=0.0,
                rope_parameters={"rope_type": "default", "rope_theta": 10000.0, "mrope_section": [2, 3, 3]},
                bos_token_id=BOS, eos_token_id=EOS, pad_token_id=PAD, tie_word_embeddings=False)
    vision = dict(depth=4, hidden_size=32, num_heads=4, intermediate_size=48, out_hidden_size=64,
                  patch_size=PATCH, temporal_patch_size=TPATCH, spatial_merge_size=MERGE, window_size=56,
                  fullatt_block_indexes=[1, 3], tokens_per_second=2, in_channels=3, hidden_act="silu")
    return Qwen2_5_VLConfig(text_config=text, vision_config=vision, image_token_id=IMAGE,
                            video_token_id=VIDEO, vision_start_token_id=VSTART, vision_end_token_id=VEND,
                            bos_token_id=BOS, eos_token_id=EOS, pad_token_id=PAD, tie_word_embeddings=False)


def make_model(seed):
    """Same recipe as the 4.50 fixture README ("weights"): N(0,1) draws from a Generator seeded
    seed+1 in named_parameters() order, scaled by parameter kind."""
    torch.manual_seed(seed)
    config = make_config()
    config._attn_implementation = "eager"
    model = Qwen2_5_VLForConditionalGeneration(config).float().eval()
    init_weights(model, torch.Generator().manual_seed(seed + 1))
    return model


def video_frames():
    """6 frames 84x112 RGB uint8 (formula of the shared README, 'Inputs')."""
    f, y, x = np.meshgrid(np.arange(6), np.arange(84), np.arange(112), indexing="ij")
    r = (x * 255 // 111 + 37 * f) % 256
    g = (y * 255 // 83 + 53 * f) % 256
    b = ((x // 7 + y // 7 + f) % 2) * 200 + 20 * f
    return np.stack([r, g, b], -1).astype(np.uint8)


def resize_frames():
    """4 frames 90x130 (shared README, 'resize test')."""
    f, y, x = np.meshgrid(np.arange(4), np.arange(90), np.arange(130), indexing="ij")
    r = (2 * x + y + 31 * f) % 256
    g = ((x // 5) * 23 + (y // 3) * 11 + 7 * f) % 256
    b = (255 - (x * y) // 47 + 61 * f) % 256
    return np.stack([r, g, b], -1).astype(np.uint8)


def patchify_video(frames_TCHW):
    """Qwen2VLImageProcessor (4.50) video patchify: rows (t, merged-row, merged-col, row-in-2x2,
    col-in-2x2), each row (C, temporal, py, px); last frame repeated when T is odd."""
    x = frames_TCHW
    if x.shape[0] % TPATCH:
        x = np.concatenate([x, np.repeat(x[-1:], TPATCH - x.shape[0] % TPATCH, 0)])
    t, c, h, w = x.shape
    gt, gh, gw = t // TPATCH, h // PATCH, w // PATCH
    x = x.reshape(gt, TPATCH, c, gh // MERGE, MERGE, PATCH, gw // MERGE, MERGE, PATCH)
    x = x.transpose(0, 3, 6, 4, 7, 2, 1, 5, 8)
    return x.reshape(gt * gh * gw, c * TPATCH * PATCH * PATCH), [gt, gh, gw]


def preprocess_video(frames_THWC):
    """Per-frame resize / rescale / normalise by transformers' own PIL-backend image processor."""
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil
    from transformers.image_processing_utils import SizeDict
    proc = Qwen2VLImageProcessorPil(min_pixels=MIN_PIXELS, max_pixels=MAX_PIXELS, patch_size=PATCH,
                                    temporal_patch_size=TPATCH, merge_size=MERGE)
    size = SizeDict(shortest_edge=MIN_PIXELS, longest_edge=MAX_PIXELS)
    out = []
    for frame in frames_THWC:
        chw = np.ascontiguousarray(frame.transpose(2, 0, 1))
        chw = proc.resize(chw, size=size, resample=proc.resample, factor=PATCH * MERGE)
        chw = proc.rescale(np.asarray(chw, np.float32), proc.rescale_factor)
        out.append(proc.normalize(chw, proc.image_mean, proc.image_std).astype(np.float32))
    pixels, grid = patchify_video(np.stack(out))
    return torch.from_numpy(np.ascontiguousarray(pixels)), torch.tensor([grid]), proc


def token_types(ids):
    """mm_token_type_ids as Qwen2_5_VLProcessor builds them: 0 text, 1 image, 2 video."""
    return (ids == IMAGE).long() + 2 * (ids == VIDEO).long()


def capture(module, store, key, index=None):
    def hook(_m, _inp, out):
        out = out[0] if isinstance(out, tuple) else out
        if hasattr(out, "last_hidden_state"):
            out = out.last_hidden_state
        store[key] = out.detach().clone() if index is None else out[index].detach().clone()
    return module.register_forward_hook(hook)


def vision_tensors(model, pixels, grid):
    """Vision-tower internals (window index, rotary angles, per-block outputs)."""
    from transformers.vision_utils import get_vision_position_ids, get_vision_window_index, get_vision_cu_seqlens
    visual = model.model.visual
    store, hooks = {}, []
    hooks.append(capture(visual.patch_embed, store, "vision_patch_embed"))
    for i, blk in enumerate(visual.blocks):
        hooks.append(capture(blk, store, f"vision_block{i}_out"))
    hooks.append(capture(visual.merger, store, "vision_merger_out_window_order"))
    with torch.no_grad():
        embeds = model.model.get_video_features(pixels, grid, return_dict=True).pooler_output
    for h in hooks:
        h.remove()
    embeds = torch.cat(embeds, 0) if isinstance(embeds, (list, tuple)) else embeds
    window_index, cu_window = get_vision_window_index(grid, MERGE, 56, PATCH)
    pos_hw = get_vision_position_ids(grid, MERGE)  # [N, 2] (h, w)
    inv_freq = visual.rotary_pos_emb.inv_freq
    # 4.50's rot_pos_emb(grid): cat(h * inv_freq, w * inv_freq) (angles, before cos/sin).
    rot = torch.cat([pos_hw[:, 0, None].float() * inv_freq, pos_hw[:, 1, None].float() * inv_freq], -1)
    store.update(vision_window_index=window_index.long(), vision_cu_window_seqlens=cu_window.long(),
                 vision_cu_seqlens=get_vision_cu_seqlens(grid).long(), vision_rot_pos_emb=rot,
                 vision_embeds=embeds.detach())
    return store


def text_rope_tables(model, position_ids_3L):
    """Per-row cos/sin tables [3, L, head_dim] (4.50 layout): 5.x mixes the rows by
    mrope_section, so each row r is evaluated with r's positions on all three axes."""
    rot = model.model.language_model.rotary_emb
    x = torch.zeros(1, dtype=torch.float32)
    cos, sin = [], []
    for r in range(3):
        c, s = rot(x, position_ids_3L[r].view(1, 1, -1).expand(3, 1, -1))
        cos.append(c[0])
        sin.append(s[0])
    return torch.stack(cos), torch.stack(sin)


def language_tensors(model, ids, pixels, grid, spg):
    ids_1L = ids.view(1, -1)
    kw = dict(pixel_values_videos=pixels, video_grid_thw=grid, second_per_grid_ts=spg,
              mm_token_type_ids=token_types(ids_1L), attention_mask=torch.ones_like(ids_1L))
    pos, deltas = model.model.get_rope_index(ids_1L, token_types(ids_1L), None, grid, spg, kw["attention_mask"])
    lm = model.model.language_model
    store = {}

    def grab_inputs(_m, _args, kwargs):  # the spliced embeddings the decoder receives
        store["_inputs_embeds"] = kwargs["inputs_embeds"].detach().clone()
    hooks = [lm.register_forward_pre_hook(grab_inputs, with_kwargs=True), capture(lm.layers[0], store, "_layer0")]
    model.model.rope_deltas = None
    with torch.no_grad():
        out = model(input_ids=ids_1L, use_cache=False, **kw)
    for h in hooks:
        h.remove()
    model.model.rope_deltas = None
    with torch.no_grad():  # last_hidden_state = after the final RMSNorm (4.50's hidden_states[-1])
        last = model.model(input_ids=ids_1L, use_cache=False, **kw).last_hidden_state
    inputs_embeds = store["_inputs_embeds"]
    cos, sin = text_rope_tables(model, pos[:, 0])
    model.model.rope_deltas = None
    with torch.no_grad():
        gen = model.generate(input_ids=ids_1L, max_new_tokens=8, do_sample=False, output_logits=True,
                             return_dict_in_generate=True, eos_token_id=EOS, pad_token_id=PAD, **kw)
    full = gen.sequences[0]
    full_pos, _ = model.model.get_rope_index(full.view(1, -1), token_types(full.view(1, -1)), None, grid, spg, None)
    return {
        "input_ids": ids, "attention_mask": torch.ones_like(ids), "position_ids": pos[:, 0].clone(),
        "rope_deltas": deltas.view(-1).long(), "text_rope_cos": cos, "text_rope_sin": sin,
        "inputs_embeds": inputs_embeds[0],
        "text_hidden_states": torch.stack([inputs_embeds[0], store["_layer0"][0], last[0]]),
        "prefill_logits": out.logits[0], "generated_ids": full[ids.numel():].clone(),
        "decode_logits": torch.cat([l for l in gen.logits], 0), "full_sequence_ids": full.clone(),
        "full_sequence_position_ids": full_pos[:, 0].clone(),
    }


def weight_naming(weights):
    if any(k.startswith("model.language_model.") for k in weights):
        return "model.language_model.* (text), model.visual.*, lm_head.weight"
    return "hub-style: model.* (text), visual.*, lm_head.weight"


def git_commit():
    try:
        root = Path(__file__).resolve().parent
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", str(Path(__file__).name)], cwd=root,
                               capture_output=True, text=True).stdout.strip()
        return head + (" (script modified/untracked)" if dirty else "")
    except OSError:
        return "unknown"


def provenance(seed):
    import PIL  # the PIL-backend image processor needs it (pip install pillow)
    return {"pillow_version": PIL.__version__, "transformers_version": transformers.__version__, "torch_version": torch.__version__,
            "numpy_version": np.__version__, "python_version": sys.version.split()[0],
            "script": "scripts/golden/make_qwen_golden.py", "script_git_commit": git_commit(),
            "seed": str(seed), "device": "cpu", "dtype": "float32", "attn_implementation": "eager"}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--with-resize", action="store_true",
                    help="also write resize_* tensors (0.6 MB; left out by default to keep the fixture small)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    out = Path(args.out_dir)
    base, methods_dir = out / "qwen2_5_vl_tiny", out / "qwen2_5_vl_tiny_methods"
    base.mkdir(parents=True, exist_ok=True)
    methods_dir.mkdir(parents=True, exist_ok=True)

    model = make_model(args.seed)
    frames = video_frames()
    pixels, grid, proc = preprocess_video(frames)
    rframes = resize_frames()
    rpixels, rgrid, _ = preprocess_video(rframes) if args.with_resize else (None, None, None)
    spg = torch.tensor([TPATCH / 2.0])  # second_per_grid_ts = temporal_patch_size / fps (fps 2)
    ids = torch.tensor(PROMPT, dtype=torch.long)

    golden = {"raw_frames": torch.from_numpy(frames), "pixel_values_videos": pixels, "video_grid_thw": grid,
              "second_per_grid_ts": spg}
    if args.with_resize:
        golden.update(resize_raw_frames=torch.from_numpy(rframes), resize_pixel_values_videos=rpixels,
                      resize_video_grid_thw=rgrid)
    golden.update(vision_tensors(model, pixels, grid))
    golden.update(language_tensors(model, ids, pixels, grid, spg))
    golden = {k: v.detach().contiguous() for k, v in golden.items() if not k.startswith("_")}
    meta = provenance(args.seed)

    model.save_pretrained(base, safe_serialization=True)
    proc.save_pretrained(base)
    save_file(golden, str(base / "golden.safetensors"), metadata={"format": "pt", **meta})
    methods, table = build_method_tensors(model, golden)
    save_file(methods, str(methods_dir / "methods.safetensors"), metadata={"format": "pt", **meta})

    from safetensors import safe_open
    with safe_open(str(base / "model.safetensors"), "pt") as f:
        weights = {k: list(f.get_slice(k).get_shape()) for k in f.keys()}
    manifest = dict(meta, weight_naming=weight_naming(weights),
                    special_token_ids=dict(bos=BOS, eos=EOS, pad=PAD, vision_start=VSTART, vision_end=VEND,
                                           image=IMAGE, video=VIDEO),
                    golden={k: {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape)}
                            for k, v in golden.items()},
                    weights=weights, generated_ids=golden["generated_ids"].tolist(),
                    position_ids=golden["position_ids"].tolist(), methods=table)
    (base / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    from qwen_golden_readme import write_readmes
    write_readmes(base, methods_dir, meta, golden, table, manifest["weight_naming"])
    print(json.dumps({"out": str(out), "generated_ids": manifest["generated_ids"],
                      "rope_deltas": golden["rope_deltas"].tolist()}))


if __name__ == "__main__":
    main()
