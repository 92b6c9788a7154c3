// Class-default table of Qwen2Config; see config_defaults.h. Keys whose class default is None
// (bos/eos/pad, ...) are not listed: a reader treats them as absent.
#include "models/llm/config_defaults.h"

namespace pevlm::llm {

const config_json::ClassDefaults& qwen2_defaults() {
  // transformers 5.25.0 models/qwen2/configuration_qwen2.py. num_key_value_heads: the field default
  // is 32; only an explicit None (null) becomes num_attention_heads (__post_init__). rope_theta:
  // RotaryEmbeddingConfigMixin.default_theta (modeling_rope_utils.py) when neither rope_theta nor
  // rope_parameters.rope_theta is given.
  static const config_json::ClassDefaults d{"qwen2", "transformers 5.25.0 Qwen2Config, models/qwen2/configuration_qwen2.py",
                                       {{"vocab_size", 151936},
                                        {"hidden_size", 4096},
                                        {"intermediate_size", 22016},
                                        {"num_hidden_layers", 32},
                                        {"num_attention_heads", 32},
                                        {"num_key_value_heads", 32},
                                        {"hidden_act", "silu"},
                                        {"max_position_embeddings", 32768},
                                        {"rms_norm_eps", 1e-6},
                                        {"tie_word_embeddings", false},
                                        {"rope_theta", 10000.0}}};
  return d;
}

}  // namespace pevlm::llm
