#!/usr/bin/env python3
"""Golden fixtures for a tiny random Qwen3-VL (dense), computed by transformers' own Qwen3-VL classes.

Usage: make_qwen3_vl_golden.py OUT_DIR --tokenizer TOKENIZER_JSON [--seed N]
Writes OUT_DIR/qwen3_vl_tiny/: config.json (the Hub's 4.57 spelling: rope_scaling + rope_theta in
text_config, see hub_config), model.safetensors (save_pretrained), tokenizer.json (a copy of
TOKENIZER_JSON: the tiny byte-level BPE that `pevlm make-tiny-model` writes, whose added tokens are the
Qwen2.5-VL / Qwen3-VL ones), golden.safetensors, manifest.json and README.md.

Reference: transformers/models/qwen3_vl/{modeling,processing,video_processing}_qwen3_vl.py and
transformers/vision_utils.py of the .venv's transformers (the version is recorded in the manifest).
What the fixture pins down (tensor names in README.md):
  * pixels: frames resized per frame by the PIL-backend image processor (the video processor needs
    torchvision, absent here) with factor 32 (patch 16 x merge 2), mean = std = 0.5, then patchified in
    Qwen3VLVideoProcessor.patchify's order (the last frame repeated to an even count);
  * vision: patch embedding (Conv3d), the learned position table bilinearly interpolated
    (align_corners) to the grid in 2x2-merge order and added, each block, the DeepStack features
    (after blocks deepstack_visual_indexes, through their own post-shuffle-norm mergers), the merger;
  * prompt: Qwen3VLProcessor.replace_video_token's text (`<{t:.1f} seconds>` + vision start + pads +
    vision end per temporal patch, t = mean of the patch's two frame times, frame index / fps) in a
    Qwen chat turn, tokenised by the tiny tokenizer; mm_token_type_ids; get_rope_index (3 x L);
  * text: interleaved M-RoPE tables, the decoder's per-layer outputs, prefill logits, 8 greedy tokens
    (generate, min_new_tokens = 8), and prefill logits under 4-D masks + full-attention positions
    (full and PEVLM sink/block plans over spans that are whole temporal patches with their timestamp
    text: M1 full, M4 pevlm k=1 m=1, M5 pevlm k=0 m=1, M7 pevlm k=0 m=2; token-sized blocks: M2
    block_attention B=20, M3 star A=B=26, M6 APE P=20 B=16 (T = S = 1: a mask)).
"""
import argparse
import json
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch
import transformers
from safetensors.torch import save_file
from transformers import PreTrainedTokenizerFast, Qwen3VLConfig, Qwen3VLForConditionalGeneration

sys.path.insert(0, str(Path(__file__).resolve().parent))
from qwen_golden_methods import Geometry, build_mask  # noqa: E402
from video_llm_golden import init_weights, provenance  # noqa: E402

PATCH, TPATCH, MERGE = 16, 2, 2
MIN_PIXELS, MAX_PIXELS = 4 * 32 * 32, 16 * 32 * 32
VIDEO_FPS = 4.0
FRAME_INDICES = [0, 2, 5, 8, 11]  # 5 sampled frames of a 12-frame 4-fps video: odd -> last repeated
SYSTEM = "You are a helpful assistant."
QUESTION = "What is shown in the video?"
DEEPSTACK = [0, 1, 3]
# Plans whose blocks are whole temporal patches (qwen_golden_methods.build_mask): name, mask args.
# M2 / M3 / M6: token-sized blocks that cut through the patches (block_attention B=20, star A=B=26, APE
# P=20 B=16), as tests/qwen3_vl_llm_test.cpp configures them.
METHODS = [("M1", ("full",)), ("M2", ("block", 20)), ("M3", ("star", 26, 26)), ("M4", ("pevlm", 1, 1)),
           ("M5", ("pevlm", 0, 1)), ("M6", ("ape", 20, 16)), ("M7", ("pevlm", 0, 2))]


def special_ids(tok):
    names = ["<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|vision_end|>", "<|image_pad|>", "<|video_pad|>",
             "<|endoftext|>"]
    ids = {n: tok.convert_tokens_to_ids(n) for n in names}
    missing = [n for n, i in ids.items() if i is None or i == tok.unk_token_id]
    if missing:
        raise SystemExit(f"tokenizer lacks {missing}")
    return ids


def make_config(vocab, ids):
    text = dict(vocab_size=vocab, hidden_size=64, intermediate_size=112, num_hidden_layers=4, num_attention_heads=4,
                num_key_value_heads=2, head_dim=32, hidden_act="silu", rms_norm_eps=1e-6,
                max_position_embeddings=4096, attention_bias=False, attention_dropout=0.0,
                rope_parameters={"rope_type": "default", "rope_theta": 5000000.0, "mrope_section": [6, 5, 5],
                                 "mrope_interleaved": True},
                bos_token_id=ids["<|endoftext|>"], eos_token_id=ids["<|im_end|>"], pad_token_id=ids["<|endoftext|>"])
    vision = dict(depth=4, hidden_size=32, num_heads=2, intermediate_size=48, out_hidden_size=64, patch_size=PATCH,
                  temporal_patch_size=TPATCH, spatial_merge_size=MERGE, in_channels=3, hidden_act="gelu_pytorch_tanh",
                  num_position_embeddings=64, deepstack_visual_indexes=DEEPSTACK)
    return Qwen3VLConfig(text_config=text, vision_config=vision, image_token_id=ids["<|image_pad|>"],
                         video_token_id=ids["<|video_pad|>"], vision_start_token_id=ids["<|vision_start|>"],
                         vision_end_token_id=ids["<|vision_end|>"], tie_word_embeddings=True)


def make_model(config, seed):
    torch.manual_seed(seed)
    config._attn_implementation = "eager"
    model = Qwen3VLForConditionalGeneration(config).float().eval()
    init_weights(model, torch.Generator().manual_seed(seed + 1))
    model.tie_weights()
    return model


def video_frames():
    """5 frames 70x100 RGB uint8 (smart_resize -> 64x96: a 4x6 patch grid, 2x3 tokens per patch)."""
    f, y, x = np.meshgrid(np.arange(5), np.arange(70), np.arange(100), indexing="ij")
    r = (x * 255 // 99 + 37 * f) % 256
    g = (y * 255 // 69 + 53 * f) % 256
    b = ((x // 7 + y // 7 + f) % 2) * 200 + 20 * f
    return np.stack([r, g, b], -1).astype(np.uint8)


def patchify_video(frames_TCHW):
    """Qwen3VLVideoProcessor.patchify: rows (t, merged row, merged col, row in 2x2, col in 2x2), each
    row (C, temporal, py, px); the last frame repeated to a multiple of temporal_patch_size."""
    x = frames_TCHW
    if pad := -x.shape[0] % TPATCH:
        x = np.concatenate([x, np.repeat(x[-1:], pad, 0)])
    t, c, h, w = x.shape
    gt, gh, gw = t // TPATCH, h // PATCH, w // PATCH
    x = x.reshape(gt, TPATCH, c, gh // MERGE, MERGE, PATCH, gw // MERGE, MERGE, PATCH)
    x = x.transpose(0, 3, 6, 4, 7, 2, 1, 5, 8)
    return x.reshape(gt * gh * gw, c * TPATCH * PATCH * PATCH), [gt, gh, gw]


def preprocess_video(frames_THWC):
    from transformers.image_processing_utils import SizeDict
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil
    proc = Qwen2VLImageProcessorPil(min_pixels=MIN_PIXELS, max_pixels=MAX_PIXELS, patch_size=PATCH,
                                    temporal_patch_size=TPATCH, merge_size=MERGE, image_mean=[0.5] * 3,
                                    image_std=[0.5] * 3)
    size = SizeDict(shortest_edge=MIN_PIXELS, longest_edge=MAX_PIXELS)
    out, resized = [], []
    for frame in frames_THWC:
        chw = np.ascontiguousarray(frame.transpose(2, 0, 1))
        chw = proc.resize(chw, size=size, resample=proc.resample, factor=PATCH * MERGE)
        resized.append(np.asarray(chw).transpose(1, 2, 0).astype(np.uint8))
        chw = proc.rescale(np.asarray(chw, np.float32), proc.rescale_factor)
        out.append(proc.normalize(chw, proc.image_mean, proc.image_std).astype(np.float32))
    pixels, grid = patchify_video(np.stack(out))
    return torch.from_numpy(np.ascontiguousarray(pixels)), torch.tensor([grid]), torch.from_numpy(np.stack(resized))


def video_placeholder(grid):
    """Qwen3VLProcessor.replace_video_token itself, on a stand-in `self` (the processor object needs a
    video processor, which needs torchvision)."""
    from transformers.models.qwen3_vl.processing_qwen3_vl import Qwen3VLProcessor
    from transformers.video_utils import VideoMetadata
    meta = VideoMetadata(total_num_frames=12, fps=VIDEO_FPS, frames_indices=list(FRAME_INDICES))
    me = SimpleNamespace(video_processor=SimpleNamespace(merge_size=MERGE, temporal_patch_size=TPATCH),
                         vision_start_token="<|vision_start|>", vision_end_token="<|vision_end|>",
                         video_token="<|video_pad|>")
    me._calculate_timestamps = lambda *a: Qwen3VLProcessor._calculate_timestamps(me, *a)
    text = Qwen3VLProcessor.replace_video_token(me, {"video_grid_thw": grid, "video_metadata": [meta]}, 0)
    times = Qwen3VLProcessor._calculate_timestamps(me, list(FRAME_INDICES), VIDEO_FPS, TPATCH)
    return text, times


def build_prompt(tok, grid):
    video, times = video_placeholder(grid)
    text = (f"<|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\n{video}{QUESTION}<|im_end|>\n"
            "<|im_start|>assistant\n")
    ids = torch.tensor(tok(text, add_special_tokens=False)["input_ids"], dtype=torch.long)
    return text, ids, times


def geometry(tok, text, ids, ids_map):
    """Spans of the prompt: each temporal patch = its timestamp text + vision start + pads + vision end
    (the first starts at the token holding the first timestamp's "<"); the context ends after the last
    patch (the question follows)."""
    offsets = tok(text, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
    first_char = text.index("<", text.index("<|im_start|>user\n") + len("<|im_start|>user\n"))
    first = next(i for i, (c0, c1) in enumerate(offsets) if c0 <= first_char < c1)
    if offsets[first][0] != first_char:
        raise SystemExit("the first timestamp shares a token with the text before it")
    ends = (ids == ids_map["<|vision_end|>"]).nonzero().flatten().tolist()
    spans, prev = [], first
    for e in ends:
        spans.append((prev, e + 1))
        prev = e + 1
    return Geometry(ids.numel(), ends[-1] + 1, tuple(spans))


def capture(module, store, key):
    def hook(_m, _inp, out):
        out = out[0] if isinstance(out, tuple) else out
        store[key] = out.detach().clone()
    return module.register_forward_hook(hook)


def vision_tensors(model, pixels, grid):
    from transformers.vision_utils import get_vision_interpolation_indices_and_weights, get_vision_position_ids
    visual = model.model.visual
    store = {}
    hooks = [capture(visual.patch_embed, store, "vision_patch_embed")]

    def grab_block_input(_m, args, kwargs):
        store["vision_pos_added"] = (args[0] if args else kwargs["hidden_states"]).detach().clone()
    hooks.append(visual.blocks[0].register_forward_pre_hook(grab_block_input, with_kwargs=True))
    for i, blk in enumerate(visual.blocks):
        hooks.append(capture(blk, store, f"vision_block{i}_out"))
    with torch.no_grad():
        out = model.model.get_video_features(pixels, grid, return_dict=True)
    for h in hooks:
        h.remove()
    idx, w = get_vision_interpolation_indices_and_weights(grid, num_grid_per_side=visual.num_grid_per_side,
                                                         mode="bilinear", align_corners=True,
                                                         spatial_merge_size=MERGE)
    with torch.no_grad():
        pos = (visual.pos_embed(idx) * w[:, :, None]).sum(1)
    store.update(vision_pos_interp_indices=idx.long(), vision_pos_interp_weights=w.float(), vision_pos_embeds=pos,
                 vision_rot_position_ids=get_vision_position_ids(grid, MERGE).long(),
                 vision_embeds=torch.cat(out.pooler_output, 0).detach())
    for j, feats in enumerate(out.deepstack_features):
        store[f"deepstack_feature{j}"] = torch.cat(feats, 0).detach()
    return store


def token_types(ids, video_id):
    return 2 * (ids == video_id).long()


def language_tensors(model, ids, pixels, grid, video_id):
    ids_1L = ids.view(1, -1)
    types = token_types(ids_1L, video_id)
    kw = dict(pixel_values_videos=pixels, video_grid_thw=grid, mm_token_type_ids=types,
              attention_mask=torch.ones_like(ids_1L))
    pos, deltas = model.model.get_rope_index(ids_1L, types, None, grid.clone(), kw["attention_mask"])
    lm = model.model.language_model
    store = {}

    def grab_inputs(_m, _args, kwargs):
        store["_inputs_embeds"] = kwargs["inputs_embeds"].detach().clone()
    hooks = [lm.register_forward_pre_hook(grab_inputs, with_kwargs=True)]
    for i, layer in enumerate(lm.layers):
        hooks.append(capture(layer, store, f"_layer{i}"))
    model.model.rope_deltas = None
    with torch.no_grad():
        out = model(input_ids=ids_1L, use_cache=False, output_hidden_states=True, **kw)
    for h in hooks:
        h.remove()
    with torch.no_grad():
        cos, sin = lm.rotary_emb(torch.zeros(1), pos)
    model.model.rope_deltas = None
    with torch.no_grad():
        gen = model.generate(input_ids=ids_1L, max_new_tokens=8, min_new_tokens=8, do_sample=False,
                             output_logits=True, return_dict_in_generate=True, **kw)
    full = gen.sequences[0]
    result = {"input_ids": ids, "mm_token_type_ids": types[0], "position_ids": pos[:, 0].clone(),
              "rope_deltas": deltas.view(-1).long(), "text_rope_cos": cos[0], "text_rope_sin": sin[0],
              "inputs_embeds": store["_inputs_embeds"][0], "prefill_logits": out.logits[0],
              "final_hidden": out.hidden_states[-1][0] if out.hidden_states is not None else None,
              "generated_ids": full[ids.numel():].clone(), "decode_logits": torch.cat(list(gen.logits), 0)}
    for i in range(len(lm.layers)):  # the decoder layer's output, before that layer's DeepStack add
        result[f"text_layer{i}_out"] = store[f"_layer{i}"][0]
    return {k: v for k, v in result.items() if v is not None}


def method_tensors(model, golden, geo):
    """Prefill logits under each method's 4-D additive mask and the full-attention (retain) positions."""
    L = geo.L
    out, table = {}, []
    ids = golden["input_ids"].view(1, -1)
    for name, margs in METHODS:
        mask = build_mask(*margs, geo=geo)
        additive = torch.zeros(1, 1, L, L)
        additive[0, 0][mask == 0] = torch.finfo(torch.float32).min
        model.model.rope_deltas = None
        with torch.no_grad():
            logits = model(input_ids=ids, pixel_values_videos=golden["pixel_values_videos"],
                           video_grid_thw=golden["video_grid_thw"],
                           mm_token_type_ids=golden["mm_token_type_ids"].view(1, -1),
                           attention_mask=additive,  # a 4-D mask is used as it is
                           position_ids=golden["position_ids"].view(3, 1, L), use_cache=False).logits[0]
        out.update({f"{name}.mask": mask.contiguous(), f"{name}.logits": logits.contiguous()})
        table.append({"name": name, "mask": list(map(str, margs)), "masked_pairs": int(torch.tril(torch.ones(L, L)).sum())
                      - int(mask.sum()), "max_abs_diff_vs_full": float((logits - golden["prefill_logits"]).abs().max())})
    return out, table


def hub_config(path, config):
    """Rewrite config.json in the released checkpoints' 4.57 spelling (rope_scaling + rope_theta inside
    text_config; vision model_type "qwen3_vl"); transformers 5.x converts it back on load."""
    j = json.loads(path.read_text())
    text = j["text_config"]
    rope = text.pop("rope_parameters")
    text["rope_theta"] = rope["rope_theta"]
    text["rope_scaling"] = {"mrope_interleaved": True, "mrope_section": rope["mrope_section"], "rope_type": "default"}
    j["vision_config"].pop("rope_parameters", None)
    j["vision_config"]["model_type"] = "qwen3_vl"
    j["transformers_version"] = transformers.__version__
    path.write_text(json.dumps(j, indent=2, sort_keys=True) + "\n")


README = """# qwen3_vl_tiny: golden tensors of a tiny random Qwen3-VL (transformers {tv}, fp32, CPU, eager)

Regenerate: `pevlm make-tiny-model DIR` (default family; its tokenizer.json is deterministic), then
`.venv/bin/python scripts/golden/make_qwen3_vl_golden.py tests/data/golden --tokenizer DIR/tokenizer.json`.
The script's docstring says what each stage mirrors. Prompt ({L} tokens; spans of the temporal patches
{spans}, question from {ctx}):

```
{prompt}
```

golden.safetensors:
- raw_frames [5,70,100,3] u8, resized_frames [5,64,96,3] u8 (PIL bicubic), frame_indices, video_fps (4), timestamps (per temporal patch, seconds)
- pixel_values_videos [72,1536], video_grid_thw [[3,4,6]]
- vision_patch_embed (Conv3d), vision_pos_interp_indices / _weights [72,4] (bilinear taps into the 8x8
  table, 2x2-merge order), vision_pos_embeds, vision_pos_added (= patch embed + pos embeds: the first
  block's input), vision_rot_position_ids [72,2] (h, w), vision_block{{i}}_out, deepstack_feature{{j}}
  (after blocks {ds}), vision_embeds (merger output, token order)
- input_ids, mm_token_type_ids, position_ids [3,L] (get_rope_index), rope_deltas, text_rope_cos/_sin
  [L,32] (interleaved M-RoPE, section {sec}), inputs_embeds, text_layer{{i}}_out (decoder layer output
  before that layer's DeepStack add), final_hidden (after the final norm), prefill_logits
- generated_ids (8 greedy), decode_logits
- M1..M7 .mask [L,L] u8 and .logits: prefill under the 4-D additive mask with the full-attention position_ids
  (M1 full; M2 block_attention B=20; M3 star A=B=26; M4 pevlm k=1 m=1; M5 pevlm k=0 m=1; M6 ape P=20 B=16;
  M7 pevlm k=0 m=2)
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--tokenizer", required=True, help="tokenizer.json of `pevlm make-tiny-model` (default family)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    base = Path(args.out_dir) / "qwen3_vl_tiny"
    base.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(args.tokenizer, base / "tokenizer.json")
    tok = PreTrainedTokenizerFast(tokenizer_file=str(base / "tokenizer.json"))
    ids_map = special_ids(tok)
    config = make_config(len(tok), ids_map)
    model = make_model(config, args.seed)

    frames = video_frames()
    pixels, grid, resized = preprocess_video(frames)
    text, ids, times = build_prompt(tok, grid)
    geo = geometry(tok, text, ids, ids_map)

    golden = {"raw_frames": torch.from_numpy(frames), "resized_frames": resized, "pixel_values_videos": pixels, "video_grid_thw": grid,
              "frame_indices": torch.tensor(FRAME_INDICES), "video_fps": torch.tensor([VIDEO_FPS], dtype=torch.float64),
              "timestamps": torch.tensor(times, dtype=torch.float64),
              "patch_spans": torch.tensor(geo.frames, dtype=torch.long)}
    golden.update(vision_tensors(model, pixels, grid))
    golden.update(language_tensors(model, ids, pixels, grid, ids_map["<|video_pad|>"]))
    methods, table = method_tensors(model, golden, geo)
    golden.update(methods)
    golden = {k: v.detach().contiguous() for k, v in golden.items()}
    meta = provenance("scripts/golden/make_qwen3_vl_golden.py", args.seed)

    model.save_pretrained(base, safe_serialization=True)
    hub_config(base / "config.json", config)
    for extra in ("generation_config.json",):
        (base / extra).unlink(missing_ok=True)
    save_file(golden, str(base / "golden.safetensors"), metadata={"format": "pt", **meta})

    # Round trip: the Hub-spelled folder loads in transformers and gives the same logits.
    again = Qwen3VLForConditionalGeneration.from_pretrained(base, attn_implementation="eager").float().eval()
    with torch.no_grad():
        logits = again(input_ids=ids.view(1, -1), pixel_values_videos=pixels, video_grid_thw=grid,
                       mm_token_type_ids=golden["mm_token_type_ids"].view(1, -1), use_cache=False).logits[0]
    if not torch.equal(logits, golden["prefill_logits"]):
        raise SystemExit("reloaded checkpoint gives different logits")

    from safetensors import safe_open
    with safe_open(str(base / "model.safetensors"), "pt") as f:
        weights = {k: list(f.get_slice(k).get_shape()) for k in f.keys()}
    manifest = dict(meta, prompt_text=text, timestamps=times, special_token_ids=ids_map,
                    patch_spans=[list(s) for s in geo.frames], context_end=geo.context_end,
                    golden={k: {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape)}
                            for k, v in golden.items()},
                    weights=weights, generated_ids=golden["generated_ids"].tolist(),
                    position_ids=golden["position_ids"].tolist(), methods=table)
    (base / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    (base / "README.md").write_text(README.format(tv=transformers.__version__, L=geo.L, spans=list(geo.frames),
                                                  ctx=geo.context_end, prompt=text, ds=DEEPSTACK, sec=[6, 5, 5]))
    print(json.dumps({"out": str(base), "L": geo.L, "grid": grid.tolist(), "timestamps": times,
                      "generated_ids": manifest["generated_ids"], "spans": geo.frames}))


if __name__ == "__main__":
    main()
