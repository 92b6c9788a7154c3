// The configuration of the Qwen decoder every video family runs (library pevlm_llm_config,
// torch-free): sizes, RoPE variant, the per-family switches (q/k/v bias, q/k RMSNorm, tied
// embeddings), and the reading of a plain Qwen2 LLM's config.json fields.
//
// Mirrors transformers' configuration_qwen2.py (Qwen2Config), the text part of
// configuration_qwen2_5_vl.py (Qwen2_5_VLTextConfig) and of configuration_qwen3_vl.py
// (Qwen3VLTextConfig: head_dim given, attention_bias false, q_norm / k_norm, interleaved M-RoPE).
// A family reads its own file layout and class defaults (models/<family>/config*.cpp) and fills this.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace pevlm::config_json {
class JsonReader;
struct ClassDefaults;
}  // namespace pevlm::config_json

namespace pevlm::llm {

// How the rotary position embedding splits its head_dim / 2 frequencies over the position axes.
enum class RopeKind {
  // 1-D RoPE (Qwen2): every frequency on one axis; written as mrope_section = {head_dim / 2, 0, 0},
  // which with identical position rows is the chunked mix below (rope.h).
  Line,
  // Qwen2-VL / Qwen2.5-VL M-RoPE: frequency chunks of sizes mrope_section = [t, h, w] take the
  // t, h, w axes in turn (modeling_qwen2_5_vl.py apply_multimodal_rotary_pos_emb).
  MropeChunked,
  // Qwen3-VL M-RoPE: frequency i takes H when i % 3 == 1 and i < 3 * h, W when i % 3 == 2 and
  // i < 3 * w, else T (modeling_qwen3_vl.py Qwen3VLTextRotaryEmbedding.apply_interleaved_mrope).
  MropeInterleaved,
};

// "1d", "mrope", "mrope_interleaved" (result rows, messages).
const char* rope_kind_name(RopeKind kind);

struct TextConfig {
  int64_t hidden_size = 0;              // "hidden_size" (3584 for 7B)
  int64_t num_layers = 0;               // "num_hidden_layers"
  int64_t num_heads = 0;                // "num_attention_heads"
  int64_t num_kv_heads = 0;             // "num_key_value_heads" (GQA)
  int64_t head_dim = 0;                 // hidden_size / num_heads ("head_dim" if present must agree)
  int64_t intermediate_size = 0;        // "intermediate_size" (SwiGLU MLP)
  int64_t vocab_size = 0;               // "vocab_size"
  double rope_theta = 1e6;              // "rope_theta"
  double rms_norm_eps = 1e-6;           // "rms_norm_eps"
  std::array<int64_t, 3> mrope_section{};  // rope_scaling.mrope_section (t, h, w freq counts)
  std::string rope_type = "mrope";      // rope_scaling type/rope_type as written ("mrope"|"default")
  bool tie_word_embeddings = false;     // lm_head shares embed_tokens (3B: true, 7B: false)
  int64_t max_position_embeddings = 0;  // "max_position_embeddings"
  std::string hidden_act = "silu";      // "hidden_act" (only silu is used by Qwen2.5-VL)
  // The variants the families need (defaults: the Qwen2 decoder of Qwen2.5-VL).
  RopeKind rope_kind = RopeKind::MropeChunked;
  bool qkv_bias = true;   // q/k/v projections have a bias (Qwen2); Qwen3: false ("attention_bias")
  bool qk_norm = false;   // RMSNorm over head_dim on q and k before RoPE (Qwen3's self_attn.q_norm / k_norm)

  int64_t q_per_kv() const { return num_kv_heads > 0 ? num_heads / num_kv_heads : 0; }
};

// The rope variant's invariants: sections non-negative with 2 * sum == head_dim; Line with
// mrope_section == {head_dim / 2, 0, 0}; an even positive head_dim. Throws std::invalid_argument
// naming `source` and the values.
void validate_rope(const TextConfig& text, const std::string& source);

// A reader of an LLM's fields: `object` first, then its "text_config" (transformers >= 4.52 nests
// them there, 4.50 and the released files keep them at the top level), then `defaults`.
config_json::JsonReader text_reader(const nlohmann::json& object, const std::string& source,
                                    const config_json::ClassDefaults& defaults);

// The fields every Qwen decoder config spells alike: sizes, rms_norm_eps, max_position_embeddings,
// hidden_act, num_key_value_heads (explicit null: as many as query heads) and head_dim (when present
// it must equal hidden_size / num_attention_heads, as Qwen2Attention derives it). RoPE and
// tie_word_embeddings are left to the caller (their home differs per family).
TextConfig read_text_fields(const config_json::JsonReader& r);

// tie_word_embeddings: transformers 5.x keeps it on the top-level config and forwards a true value
// written in text_config by 4.x saves (Qwen2_5_VLConfig / LlavaOnevisionConfig __post_init__): true
// when any layer says true, else the class default.
bool read_tie_word_embeddings(const config_json::JsonReader& r);

// A plain Qwen2 LLM's fields (Qwen2ForCausalLM config.json: LLaVA-Video's top level or its
// "text_config", LongVILA's llm/config.json), top level first then "text_config", then
// Qwen2Config's class defaults. 1-D RoPE:
// mrope_section = {head_dim / 2, 0, 0}, which with identical position rows is Qwen2's rotary;
// rope_scaling is ignored. Throws std::runtime_error naming `source` and the key.
TextConfig parse_qwen2_text_config(const nlohmann::json& object, const std::string& source);

}  // namespace pevlm::llm
