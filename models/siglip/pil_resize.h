// Pillow-exact bicubic resize of 8-bit RGB images (library pevlm_pil_resize; no libtorch).
//
// The SigLIP families' original preprocessing resizes every frame with PIL: LLaVA-NeXT's
// SigLipImageProcessor (llava/model/multimodal_encoder/siglip_encoder.py, used by lmms-eval's
// llava_vid) through transformers' image_transforms.resize -> PIL.Image.resize(size, BICUBIC), and
// NVlabs VILA (llava/mm_utils.py process_image, "resize" aspect mode) through Image.resize(size), whose
// default filter is BICUBIC. This file reproduces Pillow's separable fixed-point resampler bit for bit
// (Pillow 13.0.0, src/libImaging/Resample.c: precompute_coeffs, normalize_coeffs_8bpc,
// ImagingResample{Horizontal,Vertical}_8bpc, ImagingResampleInner; src/_imaging.c _resize;
// src/PIL/Image.py Image.resize), so that our pixels equal the reference's, not merely come close
// (libtorch's uint8 antialiased bicubic differs by one level on ~0.5 % of the values).
//
// Errors: std::invalid_argument naming the argument and what was expected.
#pragma once

#include <cstdint>
#include <optional>

namespace pevlm::siglip {

// A packed 8-bit RGB image: `height` rows of `width` pixels of 3 bytes (R, G, B); row r starts at
// data + r * row_stride bytes, row_stride >= 3 * width (padded rows, or a crop of a larger frame).
struct Rgb8Image {
  const uint8_t* data = nullptr;
  int64_t height = 0;
  int64_t width = 0;
  int64_t row_stride = 0;
};

// The same for the output buffer.
struct MutableRgb8Image {
  uint8_t* data = nullptr;
  int64_t height = 0;
  int64_t width = 0;
  int64_t row_stride = 0;
};

// The source region Image.resize(box=...) reads, in source pixels (float32, as Pillow parses it).
struct PilBox {
  float left = 0, top = 0, right = 0, bottom = 0;
};

// dst = PIL.Image.fromarray(src).resize((dst.width, dst.height), Image.BICUBIC, box) for an RGB
// image, bit-exact (no box: the whole source, Pillow's default). src and dst must not overlap.
//  - an integer box exactly the output size (no box and equal sizes included) is a plain copy;
//  - otherwise Pillow's two separable passes, each only when the size or the box asks for it, the
//    intermediate image rounded and clipped to uint8: horizontal first (over just the source rows the
//    vertical filter reads), or -- Pillow 13's rule -- vertical first when the height shrinks by more
//    than twice as many pixels as the width. Older Pillow always ran horizontal first, so frames whose
//    height shrinks that much (portrait video) can differ by a level from an older-Pillow run.
// Throws std::invalid_argument for null buffers, non-positive sizes, row strides below 3 * width,
// sizes above INT32_MAX (Pillow's int) or a box outside the source / with negative extent (Pillow's
// messages).
void pil_resize_bicubic(const Rgb8Image& src, const MutableRgb8Image& dst,
                        const std::optional<PilBox>& box = std::nullopt);

}  // namespace pevlm::siglip
