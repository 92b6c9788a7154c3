// The Qwen2-7B decoder's dimensions, written once (header-only, torch-free: the simulate cost model of
// PEVLM_CORE_ONLY builds reads them too): the LLM of Qwen2.5-VL-7B-Instruct (../shared/data/
// qwen2.5-vl-7b-instruct/config.json), LLaVA-Video-7B-Qwen2 and LongVILA-7B-256f
// (../shared/reference/more_models.md). RoPE (theta, 1-D or M-RoPE sections) and the position limit are
// the family's.
#pragma once

#include "models/llm/text_config.h"

namespace pevlm::llm {

// 28 layers, hidden 3584, 28 query / 4 KV heads of 128, SwiGLU 18944, vocabulary 152064, untied head,
// RMSNorm eps 1e-6, silu.
inline TextConfig qwen2_7b_dims() {
  TextConfig t;
  t.hidden_size = 3584;
  t.num_layers = 28;
  t.num_heads = 28;
  t.num_kv_heads = 4;
  t.head_dim = 128;
  t.intermediate_size = 18944;
  t.vocab_size = 152064;
  t.rms_norm_eps = 1e-6;
  t.tie_word_embeddings = false;
  t.hidden_act = "silu";
  return t;
}

}  // namespace pevlm::llm
