#!/usr/bin/env python3
"""Golden fixtures for a tiny random LongVILA (SigLIP + mlp_downsample projector + Qwen2), fp32, CPU.

Usage: make_longvila_golden.py OUT_DIR [--seed N]
Writes OUT_DIR/longvila_tiny/ in VILA's split layout: config.json (llava_llama), llm/ (Qwen2ForCausalLM
config + two safetensors shards + model.safetensors.index.json), vision_tower/ (SigLIP config +
vision_model.* weights), mm_projector/ (config {"mm_projector_type": "mlp_downsample"}, layers.{1,2,4}.*),
and golden.safetensors + manifest.json.

Reference code: transformers' SiglipVisionModel and Qwen2ForCausalLM; VILA has no transformers class,
so the lines it adds are written out: DownSampleBlock.flat_square (NVlabs/VILA
llava/model/multimodal_projector/base_projector.py), the projector nn.Sequential(DownSampleBlock,
LayerNorm, Linear, GELU, Linear), hidden_states[-2] (mm_vision_select_layer) and the "\\n" end-token
embedding after every frame (llava/model/encoders/video/basic.py).
Tiny dimensions: SigLIP 56 px / patch 8 (odd 7 x 7 grid, zero-padded to 8 x 8 -> 16 tokens per frame),
3 layers (2 run), hidden 32; Qwen2 hidden 64, 2 layers, GQA 4/2 heads, vocab 160, rope_theta 1.53e7.
Prompt: 4 text ids, 3 frames x (16 visual tokens + the "\\n" id), 8 text ids.
"""
import json
import sys
from pathlib import Path

import torch
from torch import nn
from safetensors.torch import save_file

sys.path.insert(0, str(Path(__file__).resolve().parent))
from video_llm_golden import (TEXT, Geometry, frames_uint8, greedy, hub_siglip_names, init_weights, make_qwen2,  # noqa: E402
                              make_siglip, method_tensors, prefill, provenance, siglip_pixels, start)

VISION = dict(hidden_size=32, intermediate_size=48, num_hidden_layers=3, num_attention_heads=4, image_size=56,
              patch_size=8, layer_norm_eps=1e-6, hidden_act="gelu_pytorch_tanh")
THETA = 1.53e7
NEWLINE_ID = 10  # stands for the tokenizer's "\n" (198 in Qwen2's vocabulary)
PREFIX, SUFFIX = [3, 17, 42, 5], [60, 61, 4, 3, 99, 5, 7, 8]
FRAMES = 3


def flat_square(x):
    """VILA DownSampleBlock.flat_square: [n, w, h, c] -> [n, w/2, h/2, 4c], odd sides zero-padded."""
    n, w, h, c = x.size()
    if w % 2 == 1:
        x = torch.concat([x, torch.zeros((n, 1, h, c), dtype=x.dtype)], dim=1).contiguous()
        n, w, h, c = x.size()
    if h % 2 == 1:
        x = torch.concat([x, torch.zeros((n, w, 1, c), dtype=x.dtype)], dim=2).contiguous()
        n, w, h, c = x.size()
    x = x.view(n, w, int(h / 2), int(c * 2))
    x = x.permute(0, 2, 1, 3).contiguous()
    x = x.view(n, int(h / 2), int(w / 2), int(c * 4))
    return x.permute(0, 2, 1, 3).contiguous()


def downsample(feat_TNC):
    g = int(feat_TNC.shape[1] ** 0.5)
    x = flat_square(feat_TNC.reshape(feat_TNC.shape[0], g, g, -1))
    return x.reshape(x.shape[0], -1, x.shape[-1])


def siglip_preprocessor(image_size):
    """vision_tower/preprocessor_config.json as the released LongVILA folder carries it (SiglipImageProcessor)."""
    return {"do_normalize": True, "do_rescale": True, "do_resize": True, "image_mean": [0.5, 0.5, 0.5],
            "image_processor_type": "SiglipImageProcessor", "image_std": [0.5, 0.5, 0.5], "processor_class": "SiglipProcessor",
            "resample": 3, "rescale_factor": 1 / 255, "size": {"height": image_size, "width": image_size}}


def main():
    args, gen = start(__doc__, 2)
    tower = make_siglip(gen, **VISION)
    llm = make_qwen2(gen, rope_theta=THETA)
    c4, h = 4 * VISION["hidden_size"], TEXT["hidden_size"]
    # VILA's MultimodalProjector keeps the Sequential as `layers` (weights layers.{1,2,4}.*); the
    # DownSampleBlock (index 0) has no parameters and runs separately below.
    projector = nn.Module()
    projector.layers = nn.Sequential(nn.Identity(), nn.LayerNorm(c4), nn.Linear(c4, h), nn.GELU(), nn.Linear(h, h))
    projector.eval()
    init_weights(projector, gen)

    raw = frames_uint8(FRAMES, 70, 90)
    pixels = siglip_pixels(raw, VISION["image_size"])
    with torch.no_grad():
        features = tower(pixels, output_hidden_states=True).hidden_states[-2]
        merged = downsample(features)
        projected = projector.layers(merged)  # [T, 16, h]
        newline = llm.get_input_embeddings()(torch.tensor([NEWLINE_ID]))[0]
    per = projected.shape[1] + 1
    ids = torch.tensor(PREFIX + ([0] * projected.shape[1] + [NEWLINE_ID]) * FRAMES + SUFFIX)
    with torch.no_grad():
        embeds = llm.get_input_embeddings()(ids).clone()
    frames = tuple((len(PREFIX) + i * per, len(PREFIX) + (i + 1) * per) for i in range(FRAMES))
    for i, (b, e) in enumerate(frames):
        embeds[b:e - 1] = projected[i]
        assert torch.equal(embeds[e - 1], newline)
    L = ids.numel()
    geo = Geometry(L, frames[-1][1], frames)
    golden = {"raw_frames": torch.from_numpy(raw), "pixel_values": pixels, "vision_features": features,
              "space_to_channel": merged, "projected": projected, "input_ids": ids, "inputs_embeds": embeds,
              "position_ids": torch.arange(L).view(1, L), "prefill_logits": prefill(llm, embeds),
              "generated_ids": greedy(llm, embeds)}
    golden.update(method_tensors(llm, embeds, geo, len(PREFIX)))
    golden = {k: v.detach().contiguous() for k, v in golden.items()}

    base = Path(args.out_dir) / "longvila_tiny"
    for sub in ("llm", "vision_tower", "mm_projector"):
        (base / sub).mkdir(parents=True, exist_ok=True)
    text = dict(TEXT, rope_theta=THETA, architectures=["Qwen2ForCausalLM"], model_type="qwen2", torch_dtype="float32")
    (base / "llm" / "config.json").write_text(json.dumps(text, indent=2) + "\n")
    weights = {k: v.detach().clone().contiguous() for k, v in llm.state_dict().items()}
    shards = [{k: v for k, v in weights.items() if not k.startswith("model.layers.1.") and k != "lm_head.weight"},
              {k: v for k, v in weights.items() if k.startswith("model.layers.1.") or k == "lm_head.weight"}]
    weight_map = {}
    for i, shard in enumerate(shards):
        name = f"model-{i + 1:05d}-of-{len(shards):05d}.safetensors"
        save_file(shard, str(base / "llm" / name), metadata={"format": "pt"})
        weight_map.update({k: name for k in shard})
    total = sum(v.numel() * 4 for v in weights.values())
    (base / "llm" / "model.safetensors.index.json").write_text(
        json.dumps({"metadata": {"total_size": total}, "weight_map": weight_map}, indent=1) + "\n")
    vision_config = dict(VISION, model_type="siglip_vision_model", num_channels=3, architectures=["SiglipVisionModel"])
    (base / "vision_tower" / "config.json").write_text(json.dumps(vision_config, indent=2) + "\n")
    save_file(hub_siglip_names(tower, ""), str(base / "vision_tower" / "model.safetensors"),
              metadata={"format": "pt"})
    # What SiglipImageProcessor.save_pretrained writes for the tower's size (VILA loads it from vision_tower/).
    (base / "vision_tower" / "preprocessor_config.json").write_text(json.dumps(siglip_preprocessor(VISION["image_size"]), indent=2) + "\n")
    (base / "mm_projector" / "config.json").write_text(json.dumps({"mm_projector_type": "mlp_downsample"}) + "\n")
    save_file({k: v.detach().contiguous() for k, v in projector.state_dict().items()},
              str(base / "mm_projector" / "model.safetensors"), metadata={"format": "pt"})
    top = {"architectures": ["LlavaLlamaModel"], "model_type": "llava_llama", "llm_cfg": {"_name_or_path": "./llm"},
           "vision_tower_cfg": {"_name_or_path": "./vision_tower"}, "mm_projector_cfg": {"mm_projector_type": "mlp_downsample"},
           "mm_vision_select_layer": -2, "mm_vision_select_feature": "cls_patch", "num_video_frames": 256, "fps": 0.0,
           "image_aspect_ratio": "resize", "torch_dtype": "float32"}
    (base / "config.json").write_text(json.dumps(top, indent=2) + "\n")
    meta = provenance("scripts/golden/make_longvila_golden.py", args.seed)
    save_file(golden, str(base / "golden.safetensors"), metadata={"format": "pt", **meta})
    manifest = dict(meta, frames=frames, newline_id=NEWLINE_ID, generated_ids=golden["generated_ids"].tolist(),
                    golden={k: {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape)} for k, v in golden.items()})
    (base / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(json.dumps({"out": str(base), "generated_ids": manifest["generated_ids"], "frames": frames}))


if __name__ == "__main__":
    main()
