// Invariants of a Qwen2.5-VL config that the model code relies on; each failure names the
// config.json key (with "vision_config." / "rope_scaling." nesting) and the source file.
// Shapes follow transformers' modeling_qwen2_5_vl.py (head_dim = hidden / heads, GQA groups,
// M-RoPE sections over head_dim / 2 frequencies, 2-D vision rotary over head_dim / 2).
#include <numeric>
#include <stdexcept>
#include <string>

#include "models/qwen2_5_vl/config.h"
#include "models/llm/config_json.h"

namespace pevlm::qwen2_5_vl {

using config_json::fail_key;

namespace {

void require_positive(const std::string& src, const char* key, double value) {
  if (!(value > 0)) fail_key(src, key, "must be positive, got " + std::to_string(value));
}

void validate_text(const std::string& src, const llm::TextConfig& t) {
  require_positive(src, "hidden_size", double(t.hidden_size));
  require_positive(src, "num_hidden_layers", double(t.num_layers));
  require_positive(src, "num_attention_heads", double(t.num_heads));
  require_positive(src, "num_key_value_heads", double(t.num_kv_heads));
  require_positive(src, "intermediate_size", double(t.intermediate_size));
  require_positive(src, "vocab_size", double(t.vocab_size));
  require_positive(src, "max_position_embeddings", double(t.max_position_embeddings));
  require_positive(src, "rope_theta", t.rope_theta);
  require_positive(src, "rms_norm_eps", t.rms_norm_eps);
  if (t.hidden_size % t.num_heads != 0)
    fail_key(src, "num_attention_heads", std::to_string(t.num_heads) + " does not divide hidden_size " +
                                             std::to_string(t.hidden_size));
  if (t.num_heads % t.num_kv_heads != 0)
    fail_key(src, "num_key_value_heads", std::to_string(t.num_kv_heads) + " does not divide num_attention_heads " +
                                             std::to_string(t.num_heads) + " (GQA groups)");
  if (t.head_dim != t.hidden_size / t.num_heads)
    fail_key(src, "head_dim", std::to_string(t.head_dim) + " != hidden_size / num_attention_heads");
  for (int64_t s : t.mrope_section)
    if (s <= 0) fail_key(src, "rope_scaling.mrope_section", "entries must be positive");
  const int64_t sum = std::accumulate(t.mrope_section.begin(), t.mrope_section.end(), int64_t{0});
  if (2 * sum != t.head_dim)
    fail_key(src, "rope_scaling.mrope_section",
             "sums to " + std::to_string(sum) + " but must be head_dim / 2 = " + std::to_string(t.head_dim / 2) +
                 " (one entry per rotary frequency, t/h/w)");
  if (t.hidden_act != "silu") fail_key(src, "hidden_act", "is '" + t.hidden_act + "', only \"silu\" is supported");
}

void validate_vision(const std::string& src, const VisionConfig& v, const llm::TextConfig& t) {
  require_positive(src, "vision_config.depth", double(v.depth));
  require_positive(src, "vision_config.hidden_size", double(v.hidden_size));
  require_positive(src, "vision_config.num_heads", double(v.num_heads));
  require_positive(src, "vision_config.intermediate_size", double(v.intermediate_size));
  require_positive(src, "vision_config.patch_size", double(v.patch_size));
  require_positive(src, "vision_config.temporal_patch_size", double(v.temporal_patch_size));
  require_positive(src, "vision_config.spatial_merge_size", double(v.spatial_merge_size));
  require_positive(src, "vision_config.window_size", double(v.window_size));
  require_positive(src, "vision_config.out_hidden_size", double(v.out_hidden_size));
  require_positive(src, "vision_config.in_channels", double(v.in_channels));
  require_positive(src, "vision_config.tokens_per_second", v.tokens_per_second);
  if (v.hidden_size % v.num_heads != 0)
    fail_key(src, "vision_config.num_heads", std::to_string(v.num_heads) + " does not divide vision hidden_size " +
                                                 std::to_string(v.hidden_size));
  // Vision rotary: head_dim / 2 rotary dims split evenly between the h and w axes.
  if (v.head_dim() % 4 != 0)
    fail_key(src, "vision_config.num_heads",
             "gives vision head_dim " + std::to_string(v.head_dim()) + ", which must be a multiple of 4 (2-D rotary)");
  if (v.window_size % (v.patch_size * v.spatial_merge_size) != 0)
    fail_key(src, "vision_config.window_size",
             std::to_string(v.window_size) + " must be a multiple of patch_size * spatial_merge_size = " +
                 std::to_string(v.patch_size * v.spatial_merge_size));
  for (int64_t b : v.fullatt_block_indexes)
    if (b < 0 || b >= v.depth)
      fail_key(src, "vision_config.fullatt_block_indexes",
               "entry " + std::to_string(b) + " is outside [0, depth=" + std::to_string(v.depth) + ")");
  if (v.out_hidden_size != t.hidden_size)
    fail_key(src, "vision_config.out_hidden_size",
             std::to_string(v.out_hidden_size) + " must equal the LLM hidden_size " + std::to_string(t.hidden_size));
  if (v.hidden_act != "silu")
    fail_key(src, "vision_config.hidden_act", "is '" + v.hidden_act + "', only \"silu\" is supported");
}

void validate_token(const std::string& src, const char* key, int64_t id, int64_t vocab, bool required) {
  if (id < 0 && !required) return;
  if (id < 0 || id >= vocab)
    fail_key(src, key, "is " + std::to_string(id) + ", expected an id in [0, vocab_size=" + std::to_string(vocab) + ")");
}

}  // namespace

void validate(const Qwen25VLConfig& c) {
  const std::string src = c.source.empty() ? std::string("config") : c.source;
  validate_text(src, c.text);
  validate_vision(src, c.vision, c.text);
  const int64_t vocab = c.text.vocab_size;
  validate_token(src, "bos_token_id", c.tokens.bos, vocab, false);
  validate_token(src, "eos_token_id", c.tokens.eos, vocab, false);
  validate_token(src, "pad_token_id", c.tokens.pad, vocab, false);
  validate_token(src, "vision_start_token_id", c.tokens.vision_start, vocab, true);
  validate_token(src, "vision_end_token_id", c.tokens.vision_end, vocab, true);
  validate_token(src, "vision_token_id", c.tokens.vision_pad, vocab, false);
  validate_token(src, "image_token_id", c.tokens.image_pad, vocab, true);
  validate_token(src, "video_token_id", c.tokens.video_pad, vocab, true);
}

}  // namespace pevlm::qwen2_5_vl
