#!/usr/bin/env python3
"""Config folders as transformers writes them, for every layout the C++ config readers accept.

Usage: make_config_fixtures.py OUT_DIR
Writes one folder per case under OUT_DIR plus OUT_DIR/expected.json: {case: {field: value}} with what
transformers' own classes read back from that folder (AutoConfig.from_pretrained on the written files,
never the in-memory object), in the C++ readers' field names. tests/config_defaults_test.cpp runs this
script into a temporary folder and compares every field, including the ones the files leave out.

Two files per layout:
  <layout>        exactly what `save_pretrained` of the installed transformers writes;
  <layout>_diff   the same with every key equal to its class default removed (nested configs against their
                  own class). transformers 4.x's to_diff_dict wrote nested configs that way (the failure
                  "text_config: key 'rms_norm_eps' missing" of issue 20), and 5.x drops the
                  PretrainedConfig-level ones; the script checks transformers reads both files alike.
Layouts: Qwen2.5-VL nested (text_config / vision_config, 5.x) and flat (LLM keys at the top level, as the
released files and transformers 4.50 write), LLaVA-OneVision (Qwen2 text_config + SigLIP vision_config; also
with no vision_config at all, which takes the class's so400m-like default), LLaVA-NeXT's llava_qwen
(LlavaQwenConfig(Qwen2Config) with the mm_* keys and the tiny checkpoints' inline vision_config), VILA's
split folder (llm/ Qwen2Config, vision_tower/ SiglipVisionConfig + SiglipImageProcessor, mm_projector/,
and the top-level llava_llama config, whose class is VILA's, so that file is written here by hand).
"""
import json
import sys
from pathlib import Path

import transformers
from transformers import (AutoConfig, LlavaOnevisionConfig, Qwen2_5_VLConfig, Qwen2Config, SiglipImageProcessor,
                          SiglipVisionConfig)
from transformers.models.auto.configuration_auto import CONFIG_MAPPING


class LlavaQwenConfig(Qwen2Config):
    """LLaVA-NeXT llava/model/language_model/llava_qwen.py: a Qwen2Config under model_type llava_qwen."""
    model_type = "llava_qwen"


AutoConfig.register("llava_qwen", LlavaQwenConfig)

# LLaVA-NeXT's mm_* keys as lmms-lab/LLaVA-Video-7B-Qwen2's config.json has them (tiny tower sizes).
LLAVA_QWEN_MM = dict(mm_vision_tower="google/siglip-so400m-patch14-384", mm_vision_select_layer=-2,
                     mm_vision_select_feature="patch", mm_projector_type="mlp2x_gelu", mm_hidden_size=32,
                     mm_spatial_pool_mode="bilinear", mm_spatial_pool_stride=2, mm_newline_position="grid",
                     mm_patch_merge_type="spatial_unpad")
SIGLIP_TINY = dict(hidden_size=32, intermediate_size=48, num_hidden_layers=3, num_attention_heads=4, image_size=56,
                   patch_size=8)
# Sizes that differ from Qwen2Config's defaults only where a small model needs them (the rest are omitted).
QWEN2_SMALL = dict(hidden_size=64, intermediate_size=112, num_hidden_layers=2, num_attention_heads=4,
                   num_key_value_heads=2, vocab_size=160, rope_theta=1e6)


def defaults_of(model_type):
    return CONFIG_MAPPING[model_type]().to_dict()


def prune(d, defaults):
    """Keys equal to the class default removed (model_type and nested configs kept; nested ones pruned against
    their own class)."""
    out = {}
    for k, v in d.items():
        if isinstance(v, dict) and "model_type" in v and v["model_type"] in CONFIG_MAPPING:
            out[k] = prune(v, defaults_of(v["model_type"]))
        elif k in ("model_type", "architectures") or k not in defaults or defaults[k] != v:
            out[k] = v
    return out


def write_diff(src, dst, top_defaults):
    dst.mkdir(parents=True, exist_ok=True)
    d = json.loads((src / "config.json").read_text())
    (dst / "config.json").write_text(json.dumps(prune(d, top_defaults), indent=2) + "\n")


def rope_theta(text):
    return float(text.rope_parameters["rope_theta"])


def qwen2_fields(t, tie):
    return dict(hidden_size=t.hidden_size, num_layers=t.num_hidden_layers, num_heads=t.num_attention_heads,
                num_kv_heads=t.num_key_value_heads, intermediate_size=t.intermediate_size, vocab_size=t.vocab_size,
                rope_theta=rope_theta(t), rms_norm_eps=t.rms_norm_eps, max_position_embeddings=t.max_position_embeddings,
                hidden_act=t.hidden_act, tie_word_embeddings=bool(tie))


def siglip_fields(v):
    return dict(hidden_size=v.hidden_size, intermediate_size=v.intermediate_size, num_layers=v.num_hidden_layers,
                num_heads=v.num_attention_heads, num_channels=v.num_channels, image_size=v.image_size,
                patch_size=v.patch_size, layer_norm_eps=v.layer_norm_eps, hidden_act=v.hidden_act)


def select_layers(num_layers, select):
    return num_layers + 1 + select if select < 0 else select


def qwen2_5_vl_expected(folder):
    c = AutoConfig.from_pretrained(folder)
    t, v = c.text_config, c.vision_config
    text = qwen2_fields(t, c.tie_word_embeddings)
    # Qwen2_5_VLRotaryEmbedding: rope_parameters.get("mrope_section", [16, 24, 24]).
    text["mrope_section"] = list(t.rope_parameters.get("mrope_section", [16, 24, 24]))
    vision = dict(depth=v.depth, hidden_size=v.hidden_size, num_heads=v.num_heads, intermediate_size=v.intermediate_size,
                  patch_size=v.patch_size, temporal_patch_size=v.temporal_patch_size,
                  spatial_merge_size=v.spatial_merge_size, window_size=v.window_size,
                  fullatt_block_indexes=list(v.fullatt_block_indexes), out_hidden_size=v.out_hidden_size,
                  tokens_per_second=float(v.tokens_per_second), in_channels=v.in_channels, hidden_act=v.hidden_act)
    tokens = dict(bos=t.bos_token_id, eos=t.eos_token_id, image_pad=c.image_token_id, video_pad=c.video_token_id,
                  vision_start=c.vision_start_token_id, vision_end=c.vision_end_token_id)
    return dict(text=text, vision=vision, tokens=tokens)


def onevision_expected(folder):
    c = AutoConfig.from_pretrained(folder)
    return dict(text=qwen2_fields(c.text_config, c.tie_word_embeddings), vision=siglip_fields(c.vision_config),
                vision_layers=select_layers(c.vision_config.num_hidden_layers, c.vision_feature_layer))


def llava_qwen_expected(folder):
    c = AutoConfig.from_pretrained(folder)
    vision = SiglipVisionConfig(**c.vision_config)
    return dict(text=qwen2_fields(c, c.tie_word_embeddings), vision=siglip_fields(vision),
                # siglip_encoder.py drops the tower's last layer
                vision_layers=vision.num_hidden_layers - 1,
                projector_type=getattr(c, "mm_projector_type", "linear"),
                pool_stride=getattr(c, "mm_spatial_pool_stride", 2))


def vila_expected(folder):
    top = json.loads((folder / "config.json").read_text())
    llm = AutoConfig.from_pretrained(folder / "llm")
    tower = AutoConfig.from_pretrained(folder / "vision_tower")
    proc = SiglipImageProcessor.from_pretrained(folder / "vision_tower")
    return dict(text=qwen2_fields(llm, llm.tie_word_embeddings), vision=siglip_fields(tower),
                vision_layers=select_layers(tower.num_hidden_layers, top["mm_vision_select_layer"]),
                frames=top["num_video_frames"], image_mean=list(proc.image_mean), image_std=list(proc.image_std))


def write_qwen2_5_vl(out):
    # 7B-like widths where the class defaults (8192 wide, 3584-wide vision) would not validate; the rest omitted.
    c = Qwen2_5_VLConfig(text_config=dict(hidden_size=3584, num_hidden_layers=2, num_attention_heads=28,
                                          num_key_value_heads=4, intermediate_size=18944,
                                          rope_scaling={"type": "mrope", "mrope_section": [16, 24, 24]}),
                         vision_config=dict(depth=2, hidden_size=1280, out_hidden_size=3584, fullatt_block_indexes=[1]))
    c.save_pretrained(out / "qwen2_5_vl")
    write_diff(out / "qwen2_5_vl", out / "qwen2_5_vl_diff", Qwen2_5_VLConfig().to_dict())
    # Flat (4.50 / released layout): the LLM keys at the top level, vision_config nested; no rope_scaling
    # at all (mrope_section [16, 24, 24] from the modeling code), Qwen2_5_VLTextConfig defaults for the rest.
    flat = {"model_type": "qwen2_5_vl", "architectures": ["Qwen2_5_VLForConditionalGeneration"],
            "hidden_size": 3584, "num_hidden_layers": 2, "num_attention_heads": 28, "num_key_value_heads": 4,
            "intermediate_size": 18944, "vision_config": {"depth": 2, "hidden_size": 1280, "out_hidden_size": 3584,
                                                          "fullatt_block_indexes": [1], "in_chans": 3,
                                                          "spatial_patch_size": 14}}
    (out / "qwen2_5_vl_flat").mkdir(parents=True, exist_ok=True)
    (out / "qwen2_5_vl_flat" / "config.json").write_text(json.dumps(flat, indent=2) + "\n")
    return {k: qwen2_5_vl_expected(out / k) for k in ("qwen2_5_vl", "qwen2_5_vl_diff", "qwen2_5_vl_flat")}


def write_onevision(out):
    c = LlavaOnevisionConfig(text_config=dict(QWEN2_SMALL, model_type="qwen2"),
                             vision_config=dict(SIGLIP_TINY, model_type="siglip_vision_model"), vision_feature_layer=-2)
    c.save_pretrained(out / "llava_onevision")
    write_diff(out / "llava_onevision", out / "llava_onevision_diff", LlavaOnevisionConfig().to_dict())
    # No vision_config: LlavaOnevisionConfig's SubConfigSpec init_kwargs (so400m, 26 layers); the class's
    # default 7B-wide Qwen2 text_config too.
    LlavaOnevisionConfig().save_pretrained(out / "llava_onevision_defaults")
    d = json.loads((out / "llava_onevision_defaults" / "config.json").read_text())
    d.pop("vision_config")
    d.pop("text_config")
    (out / "llava_onevision_defaults" / "config.json").write_text(json.dumps(d, indent=2) + "\n")
    return {k: onevision_expected(out / k) for k in ("llava_onevision", "llava_onevision_diff", "llava_onevision_defaults")}


def write_llava_qwen(out):
    c = LlavaQwenConfig(**QWEN2_SMALL, **LLAVA_QWEN_MM, vision_config=dict(SIGLIP_TINY, model_type="siglip_vision_model"))
    c.save_pretrained(out / "llava_qwen")
    d = json.loads((out / "llava_qwen" / "config.json").read_text())
    (out / "llava_qwen_diff").mkdir(parents=True, exist_ok=True)
    diff = prune(d, Qwen2Config().to_dict())
    diff["vision_config"] = prune(d["vision_config"], SiglipVisionConfig().to_dict())
    (out / "llava_qwen_diff" / "config.json").write_text(json.dumps(diff, indent=2) + "\n")
    return {k: llava_qwen_expected(out / k) for k in ("llava_qwen", "llava_qwen_diff")}


def write_vila(out, name, diff):
    base = out / name
    Qwen2Config(**QWEN2_SMALL).save_pretrained(base / "llm")
    SiglipVisionConfig(**SIGLIP_TINY).save_pretrained(base / "vision_tower")
    SiglipImageProcessor(size={"height": 56, "width": 56}).save_pretrained(base / "vision_tower")
    if diff:
        write_diff(base / "llm", base / "llm", Qwen2Config().to_dict())
        write_diff(base / "vision_tower", base / "vision_tower", SiglipVisionConfig().to_dict())
    (base / "mm_projector").mkdir(parents=True, exist_ok=True)
    (base / "mm_projector" / "config.json").write_text(
        json.dumps({"model_type": "v2l_projector", "mm_projector_type": "mlp_downsample"}, indent=2) + "\n")
    top = {"architectures": ["LlavaLlamaModel"], "model_type": "llava_llama", "llm_cfg": {"_name_or_path": "./llm"},
           "vision_tower_cfg": {"_name_or_path": "./vision_tower"},
           "mm_projector_cfg": {"mm_projector_type": "mlp_downsample"}, "mm_vision_select_layer": -2,
           "mm_vision_select_feature": "cls_patch", "num_video_frames": 16, "fps": 0.0, "image_aspect_ratio": "resize"}
    (base / "config.json").write_text(json.dumps(top, indent=2) + "\n")
    return vila_expected(base)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    expected = {}
    expected.update(write_qwen2_5_vl(out))
    expected.update(write_onevision(out))
    expected.update(write_llava_qwen(out))
    expected["vila"] = write_vila(out, "vila", diff=False)
    expected["vila_diff"] = write_vila(out, "vila_diff", diff=True)
    # A file pruned to its class defaults must read back exactly as the file it came from.
    for k in ("qwen2_5_vl", "llava_onevision", "llava_qwen", "vila"):
        assert expected[k] == expected[k + "_diff"], f"{k}: transformers reads the pruned file differently"
    expected["_transformers_version"] = transformers.__version__
    (out / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")


if __name__ == "__main__":
    main()
