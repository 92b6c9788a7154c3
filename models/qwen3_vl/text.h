// The Qwen3-VL decoder as a variant of the shared Qwen decoder (models/llm), and its DeepStack
// adds (library pevlm_qwen3_vl_llm).
//
// Mirrors transformers 5.25 modeling_qwen3_vl.py: Qwen3VLTextAttention (q_norm / k_norm RMSNorm over
// head_dim after the projections and before RoPE, attention_bias false), Qwen3VLTextRotaryEmbedding
// (interleaved M-RoPE, mrope_section [24, 20, 20]), tied lm_head on 2B/4B, and
// Qwen3VLTextModel._deepstack_process: after decoder layer i < len(deepstack features), the hidden
// states at the visual positions (the <|video_pad|> rows, in order) += feature i.
#pragma once

#include <ATen/core/Tensor.h>

#include <vector>

#include "models/llm/text_config.h"
#include "models/qwen3_vl/config.h"

namespace pevlm::qwen3_vl {

// DeepStack as per-token residual adds in the shared decoder's prefill input convention
// (llm::Decoder::prefill): x_LD [L, hidden] -> [L, hidden * (1 + k)] whose column block j + 1 holds
// feature j at the rows of `pad_id` in `ids` (ascending: the visual tokens' order) and zeros elsewhere;
// the decoder adds block j + 1 after layer j. Rows travel together, so a plan, a token reduction or a
// cache of the input keeps each token's adds with it. Throws std::invalid_argument when the pad count
// differs from a feature's rows or a width is not hidden.
at::Tensor with_deepstack(const at::Tensor& x_LD, const std::vector<int64_t>& ids, int64_t pad_id,
                          const std::vector<at::Tensor>& features);

}  // namespace pevlm::qwen3_vl
