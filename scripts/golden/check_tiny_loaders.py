#!/usr/bin/env python3
"""Checks that the tiny checkpoints of `make-tiny-model` load as the original code loads real ones.

Usage: check_tiny_loaders.py QWEN_DIR LLAVA_VIDEO_DIR LONGVILA_DIR ONEVISION_DIR [QWEN3_VL_DIR]
Exits 0 when every check passes, else prints each failure and exits 1. Run by tests/tiny_loaders_test.cpp.

Qwen2.5-VL: Qwen2_5_VLForConditionalGeneration.from_pretrained (no missing or unexpected weights), AutoProcessor
(AutoImageProcessor + chat_template.json where torchvision, which its video processor needs, is absent)
and AutoTokenizer (the tokenizer_config.json's special tokens resolve to the ids config.json names; the chat
template renders the video prompt the C++ prompt builder writes).
LLaVA-Video in transformers' llava_onevision layout (`--layout onevision`): LlavaOnevisionForConditionalGeneration
.from_pretrained (no missing or unexpected weights), AutoTokenizer ("<image>" / "<video>" ids as config.json names
them), AutoProcessor (AutoImageProcessor + chat_template.json without torchvision), the conversion's prompt.
Qwen3-VL: Qwen3VLForConditionalGeneration.from_pretrained (no missing, unexpected or mismatched weights; the
4.57-spelled rope settings read back) and AutoTokenizer (the special ids config.json names).
LLaVA-Video (LLaVA-NeXT's llava_qwen layout) and LongVILA (VILA's split layout): their classes live in those
repositories (not installed here), so the check is on the keys their loaders read, with their types, and on
AutoTokenizer / AutoConfig / SiglipImageProcessor for the files those loaders hand to transformers.
"""
import importlib.util
import json
import sys
from pathlib import Path

FAILURES = []

# LLaVA-NeXT (LLaVA-VL/LLaVA-NeXT main) reads these from config.json (file: what reads it):
#   llava/model/language_model/llava_qwen.py   LlavaQwenConfig(Qwen2Config): every Qwen2 field
#   llava/model/llava_arch.py LlavaMetaModel   mm_vision_tower (hasattr), mm_patch_merge_type (getattr "")
#   llava/model/multimodal_encoder/builder.py  mm_vision_tower
#   llava/model/multimodal_projector/builder.py mm_projector_type (getattr "linear"), mm_hidden_size, hidden_size
#   llava/model/llava_arch.py get_2dPool / encode_multimodals  mm_spatial_pool_mode, mm_spatial_pool_stride,
#                                              add_faster_video (attributes)
#   llava/model/llava_arch.py prepare_inputs_labels_for_multimodal  mm_patch_merge_type, image_aspect_ratio,
#                                              mm_newline_position, image_grid_pinpoints (anyres), tokenizer_model_max_length,
#                                              tokenizer_padding_side, mm_use_im_start_end
#   llava/model/builder.py load_pretrained_model  mm_use_im_start_end, mm_use_im_patch_token, max_position_embeddings
#   llava/train/train.py (saved by training)   mm_vision_select_layer, mm_vision_select_feature
LLAVA_QWEN_KEYS = {
    "mm_vision_tower": str, "mm_projector_type": str, "mm_hidden_size": int, "hidden_size": int,
    "mm_spatial_pool_mode": str, "mm_spatial_pool_stride": int, "add_faster_video": bool,
    "mm_patch_merge_type": str, "image_aspect_ratio": str, "mm_newline_position": str, "image_grid_pinpoints": list,
    "tokenizer_model_max_length": int, "tokenizer_padding_side": str, "mm_use_im_start_end": bool,
    "mm_use_im_patch_token": bool, "max_position_embeddings": int, "mm_vision_select_layer": int,
    "mm_vision_select_feature": str,
}
# NVlabs/VILA (main) reads these from the top-level config.json:
#   llava/model/configuration_llava.py LlavaConfig / language_model/llava_llama.py LlavaLlamaConfig (model_type)
#   llava/model/utils/utils.py get_model_config   llm_cfg, vision_tower_cfg, mm_projector_cfg (dicts -> sub-folders)
#   llava/model/llava_arch.py init_vlm          model_dtype
#   llava/model/multimodal_encoder/vision_encoder.py  mm_vision_select_layer, mm_vision_select_feature
#   llava/model/llava_arch.py / utils/media.py  num_video_frames, fps, image_aspect_ratio, mm_use_im_start_end
VILA_KEYS = {
    "llm_cfg": dict, "vision_tower_cfg": dict, "mm_projector_cfg": dict, "model_dtype": str,
    "mm_vision_select_layer": int, "mm_vision_select_feature": str, "num_video_frames": int, "fps": float,
    "image_aspect_ratio": str, "mm_use_im_start_end": bool, "mm_use_im_patch_token": bool,
}


def check(cond, what):
    if not cond:
        FAILURES.append(what)


def check_keys(config, keys, where):
    for key, kind in keys.items():
        if key not in config:
            FAILURES.append(f"{where}: key '{key}' missing")
        elif not isinstance(config[key], kind) or (kind is int and isinstance(config[key], bool)):
            FAILURES.append(f"{where}: key '{key}' is {config[key]!r}, expected {kind.__name__}")


def check_tokenizer(folder, config, where):
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(folder)
    check(tok.eos_token == "<|im_end|>", f"{where}: eos_token {tok.eos_token!r}")
    check(tok.pad_token == "<|endoftext|>", f"{where}: pad_token {tok.pad_token!r}")
    check(tok.convert_tokens_to_ids("<|im_end|>") == config["eos_token_id"],
          f"{where}: <|im_end|> is {tok.convert_tokens_to_ids('<|im_end|>')}, config eos_token_id {config['eos_token_id']}")
    check(isinstance(tok.chat_template, str) and "<|im_start|>" in tok.chat_template, f"{where}: no chat template")
    text = tok.apply_chat_template([{"role": "user", "content": "hi"}], tokenize=False, add_generation_prompt=True)
    want = "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"
    check(text == want, f"{where}: chat template renders {text!r}")
    return tok


def check_qwen(folder):
    from transformers import AutoImageProcessor, AutoProcessor, Qwen2_5_VLForConditionalGeneration
    config = json.loads((folder / "config.json").read_text())
    model, info = Qwen2_5_VLForConditionalGeneration.from_pretrained(folder, output_loading_info=True)
    for k in ("missing_keys", "unexpected_keys", "mismatched_keys"):
        check(not info.get(k), f"qwen: {k} {info.get(k)}")
    tok = check_tokenizer(folder, config, "qwen tokenizer")
    for key, token in (("image_token_id", "<|image_pad|>"), ("video_token_id", "<|video_pad|>"),
                       ("vision_start_token_id", "<|vision_start|>"), ("vision_end_token_id", "<|vision_end|>")):
        check(tok.convert_tokens_to_ids(token) == config[key], f"qwen: {token} id != config {key}")
    msgs = [{"role": "user", "content": [{"type": "video"}, {"type": "text", "text": "What?"}]}]
    if importlib.util.find_spec("torchvision") is not None:
        proc = AutoProcessor.from_pretrained(folder)
        check(type(proc).__name__ == "Qwen2_5_VLProcessor", f"qwen: AutoProcessor gave {type(proc).__name__}")
        text = proc.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True)
    else:
        # transformers' Qwen2VLVideoProcessor (part of AutoProcessor) needs torchvision, which the project .venv
        # does not carry: load the processor's other parts and render chat_template.json as the processor would.
        print("note: torchvision not installed; AutoProcessor replaced by AutoImageProcessor + chat_template.json")
        ip = AutoImageProcessor.from_pretrained(folder)
        check(type(ip).__name__.startswith("Qwen2VLImageProcessor"), f"qwen: AutoImageProcessor gave {type(ip).__name__}")
        template = json.loads((folder / "chat_template.json").read_text())["chat_template"]
        text = tok.apply_chat_template(msgs, chat_template=template, tokenize=False, add_generation_prompt=True)
    want = ("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n"
            "<|vision_start|><|video_pad|><|vision_end|>What?<|im_end|>\n<|im_start|>assistant\n")
    check(text == want, f"qwen: processor chat template renders {text!r}")
    del model


def check_llava_video(folder):
    from transformers import AutoConfig
    config = json.loads((folder / "config.json").read_text())
    check(config.get("model_type") == "llava_qwen", "llava_video: model_type")
    check_keys(config, LLAVA_QWEN_KEYS, "llava_video config.json")
    check(config.get("mm_use_im_patch_token") is False,
          "llava_video: mm_use_im_patch_token must be false (true adds <im_patch> and resizes the embeddings)")
    # LlavaQwenConfig is a Qwen2Config: the Qwen2 fields read as transformers reads them.
    cfg = AutoConfig.for_model("qwen2", **{k: v for k, v in config.items() if k != "model_type"})
    check(cfg.hidden_size == config["hidden_size"], "llava_video: Qwen2Config hidden_size")
    check_tokenizer(folder, config, "llava_video tokenizer")


def check_onevision(folder):
    from transformers import AutoImageProcessor, AutoProcessor, LlavaOnevisionForConditionalGeneration
    config = json.loads((folder / "config.json").read_text())
    model, info = LlavaOnevisionForConditionalGeneration.from_pretrained(folder, output_loading_info=True)
    for k in ("missing_keys", "unexpected_keys", "mismatched_keys"):
        check(not info.get(k), f"onevision: {k} {info.get(k)}")
    check(model.config.vision_feature_layer == -2, "onevision: vision_feature_layer")
    del model
    tok = check_tokenizer(folder, config["text_config"], "onevision tokenizer")
    for key, token in (("image_token_index", "<image>"), ("video_token_index", "<video>")):
        check(tok.convert_tokens_to_ids(token) == config[key], f"onevision: {token} id != config {key}")
    msgs = [{"role": "user", "content": [{"type": "video"}, {"type": "text", "text": "What?"}]}]
    if importlib.util.find_spec("torchvision") is not None:
        proc = AutoProcessor.from_pretrained(folder)
        check(type(proc).__name__ == "LlavaOnevisionProcessor", f"onevision: AutoProcessor gave {type(proc).__name__}")
        text = proc.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True)
    else:
        ip = AutoImageProcessor.from_pretrained(folder)
        check(type(ip).__name__.startswith("LlavaOnevisionImageProcessor"),
              f"onevision: AutoImageProcessor gave {type(ip).__name__}")
        template = json.loads((folder / "chat_template.json").read_text())["chat_template"]
        text = tok.apply_chat_template(msgs, chat_template=template, tokenize=False, add_generation_prompt=True)
    check(text == "<|im_start|>user\n<video>\nWhat?<|im_end|>\n<|im_start|>assistant\n",
          f"onevision: processor chat template renders {text!r}")


def check_longvila(folder):
    from transformers import AutoConfig, SiglipImageProcessor
    config = json.loads((folder / "config.json").read_text())
    check(config.get("model_type") == "llava_llama", "longvila: model_type")
    check_keys(config, VILA_KEYS, "longvila config.json")
    for key in ("llm_cfg", "vision_tower_cfg", "mm_projector_cfg"):
        check((folder / key[:-4] / "config.json").exists(), f"longvila: {key[:-4]}/config.json missing")
    llm = json.loads((folder / "llm" / "config.json").read_text())
    AutoConfig.from_pretrained(folder / "llm")
    check_tokenizer(folder / "llm", llm, "longvila llm/ tokenizer")
    tower = AutoConfig.from_pretrained(folder / "vision_tower")
    proc = SiglipImageProcessor.from_pretrained(folder / "vision_tower")
    check(proc.size == {"height": tower.image_size, "width": tower.image_size}, f"longvila: processor size {proc.size}")
    proj = json.loads((folder / "mm_projector" / "config.json").read_text())
    check(proj.get("mm_projector_type") == "mlp_downsample", "longvila: mm_projector_type")


def check_qwen3_vl(folder):
    from transformers import AutoTokenizer, Qwen3VLForConditionalGeneration
    config = json.loads((folder / "config.json").read_text())
    model, info = Qwen3VLForConditionalGeneration.from_pretrained(folder, output_loading_info=True)
    for k in ("missing_keys", "unexpected_keys", "mismatched_keys"):
        check(not info.get(k), f"qwen3_vl: {k} {info.get(k)}")
    rope = model.config.text_config.rope_parameters
    check(rope.get("mrope_section") == config["text_config"]["rope_scaling"]["mrope_section"], f"qwen3_vl: rope {rope}")
    check(rope.get("rope_theta") == config["text_config"]["rope_theta"], f"qwen3_vl: rope_theta {rope}")
    check(model.config.tie_word_embeddings == config["tie_word_embeddings"], "qwen3_vl: tie_word_embeddings")
    tok = AutoTokenizer.from_pretrained(folder)
    for key, token in (("image_token_id", "<|image_pad|>"), ("video_token_id", "<|video_pad|>"),
                       ("vision_start_token_id", "<|vision_start|>"), ("vision_end_token_id", "<|vision_end|>")):
        check(tok.convert_tokens_to_ids(token) == config[key], f"qwen3_vl: {token} is not {key} {config[key]}")


def main():
    if len(sys.argv) not in (5, 6):
        sys.exit(__doc__)
    qwen, llava, longvila, onevision = (Path(a) for a in sys.argv[1:5])
    checks = [("qwen", check_qwen, qwen), ("llava_video", check_llava_video, llava),
              ("longvila", check_longvila, longvila), ("onevision", check_onevision, onevision)]
    if len(sys.argv) == 6:
        checks.append(("qwen3_vl", check_qwen3_vl, Path(sys.argv[5])))
    for name, fn, folder in checks:
        try:
            fn(folder)
        except Exception as e:  # a loader refusing the folder is a failure to report, not a crash
            FAILURES.append(f"{name}: {type(e).__name__}: {e}")
    for f in FAILURES:
        print("FAIL", f)
    print("ok" if not FAILURES else f"{len(FAILURES)} failures")
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
