// Rotary position embedding of the Qwen decoder: 1-D, M-RoPE chunked (Qwen2.5-VL), M-RoPE
// interleaved (Qwen3-VL) (library pevlm_llm).
//
// Mirrors transformers modeling_qwen2_5_vl.py: Qwen2_5_VLRotaryEmbedding (inv_freq =
// theta^(-(0,2,..,D-2)/D), freqs = pos x inv_freq per axis, cos/sin of cat(freqs, freqs)),
// the mrope_section mix (frequency chunk i of sizes [t, h, w] takes axis i % 3, the same split in
// both halves) and apply_multimodal_rotary_pos_emb (rotate_half convention:
// x' = x cos + rotate_half(x) sin, rotate_half(x) = cat(-x2, x1)).
// The interleaved mix mirrors modeling_qwen3_vl.py Qwen3VLTextRotaryEmbedding.apply_interleaved_mrope:
// frequency i (of head_dim / 2) takes axis H when i % 3 == 1 and i < 3 * h, W when i % 3 == 2 and
// i < 3 * w, else T; the same in both halves of cat(freqs, freqs).
// Facts: ../shared/reference/qwen2_5_vl.md, "M-RoPE positions".
#pragma once

#include <ATen/core/Tensor.h>

#include <array>
#include <cstdint>

#include "methods/token_layout.h"
#include "models/llm/text_config.h"

namespace pevlm::llm {

// cos/sin per token after the section mix, float32 [L, head_dim].
struct RotaryTables {
  at::Tensor cos_LD;
  at::Tensor sin_LD;
};

// Per-axis tables before the section mix: float32 [3, L, head_dim] each (what the golden
// text_rope_cos/sin hold). 1-axis positions are broadcast to the 3 axes, as transformers does.
RotaryTables mrope_axis_tables(const PositionIds& positions, int64_t head_dim, double theta);

// The tables the attention uses: axis tables mixed by `mrope_section` (t, h, w frequency counts;
// 2 * sum == head_dim, else std::invalid_argument naming the values).
RotaryTables mrope_tables(const PositionIds& positions, int64_t head_dim, double theta,
                          const std::array<int64_t, 3>& mrope_section);

// Same for `count` tokens whose ids are equal on every axis and run first, first+1, ... (decode).
RotaryTables mrope_tables_1d(int64_t first, int64_t count, int64_t head_dim, double theta,
                             const std::array<int64_t, 3>& mrope_section);

// The tables of `text`'s rope variant (text.rope_kind, mrope_section, head_dim, rope_theta): 1-D and
// chunked through the chunked mix above, interleaved through the interleaved one.
RotaryTables rope_tables(const PositionIds& positions, const TextConfig& text);
// Same for `count` tokens at position first, first+1, ... on every axis (decode).
RotaryTables rope_tables_1d(int64_t first, int64_t count, const TextConfig& text);
// The interleaved mix of axis tables (float32 [3, L, D] each, as mrope_axis_tables) by `mrope_section`
// (2 * sum == head_dim, else std::invalid_argument).
RotaryTables interleaved_mix(const RotaryTables& axes, const std::array<int64_t, 3>& mrope_section);

// x_LHD [L, H, D] rotated by tables [L, D]. As transformers does it, cos/sin are cast to x's
// dtype and the products are taken in that dtype; returns a new contiguous tensor.
at::Tensor apply_rotary(const at::Tensor& x_LHD, const RotaryTables& tables);

}  // namespace pevlm::llm
