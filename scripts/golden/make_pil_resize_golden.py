#!/usr/bin/env python3
"""Golden outputs of Pillow's bicubic resize on 8-bit RGB images (tests/pil_resize_test.cpp).

Usage: make_pil_resize_golden.py OUT_DIR
Writes OUT_DIR/pil_resize/{golden.safetensors, manifest.json}.

Reference: PIL.Image.fromarray(rgb_uint8).resize((w, h), Image.BICUBIC[, box]) -- the resize of LLaVA-NeXT's
SigLipImageProcessor (through transformers.image_transforms.resize) and of VILA's process_image. The inputs
are not stored (4K frames would be 25 MB each): they are two formulas that tests/pil_resize_test.cpp computes
too, and the manifest stores an FNV-1a-64 digest of each input so that a drift of the generator shows up as
such, not as a resize mismatch.
  noise: byte i of the flattened [H, W, 3] array = top byte of a 32-bit integer hash of i and the seed;
  edges: R = x * 255 // max(W - 1, 1), G = y * 255 // max(H - 1, 1), B = 255 on a 7 x 5 checkerboard
         (hard edges, so the cubic's overshoot is clipped).
Each case stores the whole output (uint8 [h, w, 3]) when it is at most 64 KiB, otherwise one FNV-1a-64 digest
per output row (int64 [h], the uint64 bit pattern): small files, and a failure still says which rows differ.
Requires Pillow 13.x: its pass order (vertical first when the height shrinks by more than twice as many pixels
as the width) differs from older versions.
"""
import argparse
import json
import subprocess
from pathlib import Path

import numpy as np
import PIL
import torch
from PIL import Image
from safetensors.torch import save_file

M32 = np.uint64(0xFFFFFFFF)
FNV_OFFSET, FNV_PRIME = np.uint64(0xCBF29CE484222325), np.uint64(0x100000001B3)
FULL_OUTPUT_MAX_BYTES = 64 * 1024

# (name, (src_h, src_w), (dst_h, dst_w), box or None). Real frame sizes onto both families' inputs
# (LLaVA-Video 384, LongVILA 448; landscape frames run the horizontal pass first, portrait ones the
# vertical), then odd sizes: one-pixel images, thin strips, near-identity, upscaling, single-axis
# resizes (one pass only), the copy case and ROI boxes (fractional and the integer crop shortcut).
CASES = []
for w, h in [(1920, 1080), (1280, 720), (854, 480), (640, 360), (3840, 2160)]:
    for s in (384, 448):
        CASES.append((f"frame_{w}x{h}_to_{s}", (h, w), (s, s), None))
CASES += [
    ("portrait_1080x1920_to_384", (1920, 1080), (384, 384), None),
    ("portrait_720x1280_to_448", (1280, 720), (448, 448), None),
    ("one_pixel_to_384", (1, 1), (384, 384), None),
    ("one_pixel_to_one", (1, 1), (1, 1), None),
    ("3x7_to_384", (7, 3), (384, 384), None),
    ("17x1001_to_448", (1001, 17), (448, 448), None),
    ("1001x17_to_448", (17, 1001), (448, 448), None),
    ("383x385_to_384", (385, 383), (384, 384), None),
    ("385x383_to_384", (383, 385), (384, 384), None),
    ("upscale_100x57_to_384", (57, 100), (384, 384), None),
    ("width_only_500x384_to_384", (384, 500), (384, 384), None),
    ("height_only_384x500_to_384", (500, 384), (384, 384), None),
    ("same_size_64x48", (48, 64), (48, 64), None),
    ("9x2_to_1x1", (2, 9), (1, 1), None),
    ("5x5_to_3x5", (5, 5), (5, 3), None),
    ("tall_13x400_to_10x50", (400, 13), (50, 10), None),
    ("box_fractional", (300, 200), (100, 100), (0.5, 1.25, 199.5, 298.75)),
    ("box_vertical_first", (300, 200), (40, 150), (10.0, 20.0, 150.0, 290.0)),
    ("box_integer_crop", (300, 200), (200, 100), (3.0, 4.0, 103.0, 204.0)),
    ("box_zero_width", (300, 200), (60, 40), (10.0, 10.0, 10.0, 50.0)),
]
PATTERNS = {"noise": 1, "edges": 0}  # pattern -> seed


def noise(h, w, seed):
    i = np.arange(h * w * 3, dtype=np.uint64)
    x = (i * np.uint64(0x9E3779B1) + np.uint64(seed)) & M32
    x ^= x >> np.uint64(16)
    x = (x * np.uint64(0x7FEB352D)) & M32
    x ^= x >> np.uint64(15)
    x = (x * np.uint64(0x846CA68B)) & M32
    x ^= x >> np.uint64(16)
    return (x >> np.uint64(24)).astype(np.uint8).reshape(h, w, 3)


def edges(h, w):
    y, x = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    r = x * 255 // max(w - 1, 1)
    g = y * 255 // max(h - 1, 1)
    b = ((x // 7 + y // 5) % 2) * 255
    return np.stack([r, g, b], -1).astype(np.uint8)


def row_fnv1a64(img):
    """FNV-1a-64 of each row's bytes, vectorised over rows -> uint64 [h]."""
    rows = img.reshape(img.shape[0], -1)
    h = np.full(rows.shape[0], FNV_OFFSET, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for col in rows.T:
            h = (h ^ col.astype(np.uint64)) * FNV_PRIME
    return h


def fnv1a64_of_rows(img):
    """FNV-1a-64 over the little-endian bytes of the row digests: one digest of the whole image."""
    h = FNV_OFFSET
    with np.errstate(over="ignore"):
        for b in row_fnv1a64(img).astype("<u8").tobytes():
            h = (h ^ np.uint64(b)) * FNV_PRIME
    return int(h)


def pass_order(src, dst, box):
    (ih, iw), (oh, ow) = src, dst
    l, t, r, b = box or (0, 0, iw, ih)
    if l == int(l) and t == int(t) and r - l == ow and b - t == oh:
        return "copy"
    return "vertical_first" if ih - oh > 0 and 2 * (iw - ow) < ih - oh else "horizontal_first"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_dir")
    args = ap.parse_args()
    if not PIL.__version__.startswith("13."):
        raise SystemExit(f"make_pil_resize_golden.py: needs Pillow 13.x (pass order), found {PIL.__version__}")
    out = Path(args.out_dir) / "pil_resize"
    out.mkdir(parents=True, exist_ok=True)
    tensors, cases = {}, []
    for name, src, dst, box in CASES:
        for pattern, seed in PATTERNS.items():
            img = noise(*src, seed) if pattern == "noise" else edges(*src)
            res = np.asarray(Image.fromarray(img).resize((dst[1], dst[0]), Image.BICUBIC, box=box))
            assert res.shape == (dst[0], dst[1], 3) and res.dtype == np.uint8
            key = f"{name}.{pattern}"
            if res.nbytes <= FULL_OUTPUT_MAX_BYTES:
                tensors[f"{key}.output"] = torch.from_numpy(res.copy())
            else:
                tensors[f"{key}.row_fnv1a64"] = torch.from_numpy(row_fnv1a64(res).view(np.int64).copy())
            cases.append({"name": key, "pattern": pattern, "seed": seed, "src_hw": list(src), "dst_hw": list(dst),
                          "box": list(box) if box else None, "pass_order": pass_order(src, dst, box),
                          "input_fnv1a64": f"{fnv1a64_of_rows(img):016x}"})
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).resolve().parent,
                          capture_output=True, text=True).stdout.strip()
    meta = {"pillow_version": PIL.__version__, "numpy_version": np.__version__,
            "script": "scripts/golden/make_pil_resize_golden.py", "script_git_commit": head or "unknown"}
    save_file(tensors, str(out / "golden.safetensors"), metadata=meta)
    lines = [json.dumps(c) for c in cases]  # one case per line
    text = json.dumps(meta, indent=1)[:-2] + ',\n "cases": [\n  ' + ",\n  ".join(lines) + "\n ]\n}\n"
    (out / "manifest.json").write_text(text)
    (out / "golden.safetensors").chmod(0o644)
    print(f"wrote {len(cases)} cases to {out}")


if __name__ == "__main__":
    main()
