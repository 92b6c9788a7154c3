#!/usr/bin/env python3
"""Golden fixtures for a tiny random LLaVA-Video (SigLIP + mlp2x_gelu projector + Qwen2), fp32, CPU.

Usage: make_llava_video_golden.py OUT_DIR [--seed N]
Writes OUT_DIR/llava_video_tiny/ (the lmms-lab `llava_qwen` layout: config.json, model.safetensors,
golden.safetensors, manifest.json) and OUT_DIR/llava_video_tiny_onevision/ (the same weights in the
transformers `llava_onevision` layout: config.json, model.safetensors).

Reference code: transformers' SiglipVisionModel, LlavaOnevisionMultiModalProjector and Qwen2ForCausalLM;
the lines LLaVA-NeXT adds around them (llava/model/llava_arch.py get_2dPool + add_token_per_grid;
siglip_encoder.py drops the tower's last layer = hidden_states[-2]) are written out below.
Tiny dimensions: SigLIP 56 px / patch 8 (odd 7 x 7 grid: average pooling floors to 3 x 3, bilinear
ceils to 4 x 4), 3 layers (2 run), hidden 32; Qwen2 hidden 64, 2 layers, GQA 4/2 heads, vocab 160.
Prompt: 4 text ids, 3 frames x 12 visual tokens (3 pooled rows of 3 + a newline each), 8 text ids.
"""
import json
import math
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import save_file
from transformers import LlavaOnevisionConfig
from transformers.models.llava_onevision.modeling_llava_onevision import LlavaOnevisionMultiModalProjector

sys.path.insert(0, str(Path(__file__).resolve().parent))
from video_llm_golden import (TEXT, Geometry, frames_uint8, greedy, hub_siglip_names, init_weights, make_qwen2,  # noqa: E402
                              make_siglip, method_tensors, prefill, provenance, siglip_pixels, start)

VISION = dict(hidden_size=32, intermediate_size=48, num_hidden_layers=3, num_attention_heads=4, image_size=56,
              patch_size=8, layer_norm_eps=1e-6, hidden_act="gelu_pytorch_tanh")
PREFIX, SUFFIX = [3, 17, 42, 5], [60, 61, 4, 3, 99, 5, 7, 8]
FRAMES = 3


def get_2d_pool(feat_TND, mode, stride=2):
    """LLaVA-NeXT llava_arch.py get_2dPool."""
    T, N, D = feat_TND.shape
    g = int(math.isqrt(N))
    x = feat_TND.view(T, g, g, D).permute(0, 3, 1, 2)
    if mode == "average":
        x = F.avg_pool2d(x, stride)
    elif mode == "max":
        x = F.max_pool2d(x, stride)
    else:
        x = F.interpolate(x, size=[math.ceil(g / stride)] * 2, mode="bilinear")
    return x.permute(0, 2, 3, 1).reshape(T, -1, D)


def add_token_per_grid(feat_TND, newline_D):
    """LLaVA-NeXT llava_arch.py add_token_per_grid (mm_newline_position == "grid")."""
    T, N, D = feat_TND.shape
    h = int(math.isqrt(N))
    x = feat_TND.view(T, 1, h, h, D).permute(4, 0, 2, 1, 3).flatten(1, 2).flatten(2, 3)
    x = torch.cat([x, newline_D[:, None, None].expand(*x.shape[:-1], 1)], -1)
    return x.flatten(1, 2).transpose(0, 1)


def one_token(feat_TND, newline_D):
    """mm_newline_position == "one_token" (transformers LlavaOnevision's video path)."""
    return torch.cat([feat_TND.flatten(0, 1), newline_D[None]], 0)


def configs(vocab):
    text = dict(TEXT, rope_theta=1e6)
    lmms = dict(architectures=["LlavaQwenForCausalLM"], model_type="llava_qwen", **{k: v for k, v in text.items()},
                rope_scaling=None, mm_vision_tower="google/siglip-so400m-patch14-384", mm_vision_select_layer=-2,
                mm_vision_select_feature="patch", mm_projector_type="mlp2x_gelu", mm_hidden_size=VISION["hidden_size"],
                mm_spatial_pool_mode="bilinear", mm_spatial_pool_stride=2, mm_newline_position="grid",
                torch_dtype="float32", vision_config=dict(VISION, model_type="siglip_vision_model", num_channels=3))
    onevision = dict(architectures=["LlavaOnevisionForConditionalGeneration"], model_type="llava_onevision",
                     text_config=dict(text, model_type="qwen2"), vision_config=lmms["vision_config"],
                     vision_feature_layer=-2, vision_feature_select_strategy="full", projector_hidden_act="gelu",
                     image_token_index=vocab - 2, video_token_index=vocab - 1, tie_word_embeddings=False,
                     torch_dtype="float32")
    return lmms, onevision


def main():
    args, gen = start(__doc__, 1)
    tower = make_siglip(gen, **VISION)
    llm = make_qwen2(gen, rope_theta=1e6)
    proj_config = LlavaOnevisionConfig(vision_config=dict(VISION, model_type="siglip_vision_model"),
                                       text_config=dict(TEXT, model_type="qwen2"), projector_hidden_act="gelu")
    projector = LlavaOnevisionMultiModalProjector(proj_config).float().eval()
    init_weights(projector, gen)
    newline = 0.2 * torch.randn(TEXT["hidden_size"], generator=gen)

    raw = frames_uint8(FRAMES, 70, 90)
    pixels = siglip_pixels(raw, VISION["image_size"])
    with torch.no_grad():
        features = tower(pixels, output_hidden_states=True).hidden_states[-2]  # 2 of 3 layers, no post_layernorm
        projected = projector(features)
    tokens = {"average_grid": add_token_per_grid(get_2d_pool(projected, "average"), newline),
              "bilinear_grid": add_token_per_grid(get_2d_pool(projected, "bilinear"), newline),
              "bilinear_one_token": one_token(get_2d_pool(projected, "bilinear"), newline)}
    video = tokens["average_grid"]  # the official evaluation (lmms-eval llava_vid)
    ids = torch.tensor(PREFIX + [0] * video.shape[0] + SUFFIX)
    with torch.no_grad():
        embeds = llm.get_input_embeddings()(ids).clone()
    embeds[len(PREFIX):len(PREFIX) + video.shape[0]] = video
    L, per = ids.numel(), video.shape[0] // FRAMES
    frames = tuple((len(PREFIX) + i * per, len(PREFIX) + (i + 1) * per) for i in range(FRAMES))
    geo = Geometry(L, frames[-1][1], frames)

    golden = {"raw_frames": torch.from_numpy(raw), "pixel_values": pixels, "vision_features": features,
              "projected": projected, "input_ids": ids, "inputs_embeds": embeds,
              "position_ids": torch.arange(L).view(1, L), "prefill_logits": prefill(llm, embeds),
              "generated_ids": greedy(llm, embeds)}
    golden.update({f"video_tokens_{k}": v for k, v in tokens.items()})
    golden.update(method_tensors(llm, embeds, geo, len(PREFIX)))
    golden = {k: v.detach().contiguous() for k, v in golden.items()}

    weights = {k: v.detach().clone().contiguous() for k, v in llm.state_dict().items()}  # model.*, lm_head.weight
    lmms = dict(weights)
    lmms.update(hub_siglip_names(tower, "model.vision_tower.vision_tower."))
    lmms.update({"model.mm_projector.0.weight": projector.linear_1.weight, "model.mm_projector.0.bias": projector.linear_1.bias,
                 "model.mm_projector.2.weight": projector.linear_2.weight, "model.mm_projector.2.bias": projector.linear_2.bias,
                 "model.image_newline": newline})
    one = {("language_model." + k): v for k, v in weights.items()}  # language_model.model.*, language_model.lm_head.weight
    one.update(hub_siglip_names(tower, "vision_tower."))
    one.update({f"multi_modal_projector.{n}.{p}": getattr(getattr(projector, n), p) for n in ("linear_1", "linear_2")
                for p in ("weight", "bias")})
    one["image_newline"] = newline

    meta = provenance("scripts/golden/make_llava_video_golden.py", args.seed)
    lmms_config, one_config = configs(TEXT["vocab_size"])
    for name, tensors, config in (("llava_video_tiny", lmms, lmms_config), ("llava_video_tiny_onevision", one, one_config)):
        d = Path(args.out_dir) / name
        d.mkdir(parents=True, exist_ok=True)
        save_file({k: v.detach().contiguous() for k, v in tensors.items()}, str(d / "model.safetensors"),
                  metadata={"format": "pt"})
        (d / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    base = Path(args.out_dir) / "llava_video_tiny"
    save_file(golden, str(base / "golden.safetensors"), metadata={"format": "pt", **meta})
    manifest = dict(meta, frames=frames, generated_ids=golden["generated_ids"].tolist(),
                    golden={k: {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape)} for k, v in golden.items()})
    (base / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(json.dumps({"out": args.out_dir, "generated_ids": manifest["generated_ids"], "frames": frames}))


if __name__ == "__main__":
    main()
