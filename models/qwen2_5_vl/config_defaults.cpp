// Class-default tables of the Qwen2.5-VL configs; see config_defaults.h. Keys whose class
// default is None (bos/eos/pad of Qwen2Config, ...) are not listed: a reader treats them as absent.
#include "models/qwen2_5_vl/config_defaults.h"

namespace pevlm::qwen2_5_vl {

const config_json::ClassDefaults& qwen2_5_vl_text_defaults() {
  // transformers 5.25.0 models/qwen2_5_vl/configuration_qwen2_5_vl.py Qwen2_5_VLTextConfig
  // (rms_norm_eps 1e-5 and 80 layers of width 8192, unlike the released 7B; default_theta 1e6).
  static const config_json::ClassDefaults d{
      "qwen2_5_vl_text", "transformers 5.25.0 Qwen2_5_VLTextConfig, models/qwen2_5_vl/configuration_qwen2_5_vl.py",
      {{"vocab_size", 152064},
       {"hidden_size", 8192},
       {"intermediate_size", 29568},
       {"num_hidden_layers", 80},
       {"num_attention_heads", 64},
       {"num_key_value_heads", 8},
       {"hidden_act", "silu"},
       {"max_position_embeddings", 32768},
       {"rms_norm_eps", 1e-5},
       {"rope_theta", 1000000.0},
       {"bos_token_id", 151643},
       {"eos_token_id", 151645}}};
  return d;
}

const config_json::ClassDefaults& qwen2_5_vl_defaults() {
  // transformers 5.25.0 Qwen2_5_VLConfig (the top level; tie_word_embeddings lives here in 5.x).
  static const config_json::ClassDefaults d{"qwen2_5_vl",
                                       "transformers 5.25.0 Qwen2_5_VLConfig, models/qwen2_5_vl/configuration_qwen2_5_vl.py",
                                       {{"image_token_id", 151655},
                                        {"video_token_id", 151656},
                                        {"vision_start_token_id", 151652},
                                        {"vision_end_token_id", 151653},
                                        {"tie_word_embeddings", false}}};
  return d;
}

const config_json::ClassDefaults& qwen2_5_vl_vision_defaults() {
  // transformers 5.25.0 Qwen2_5_VLVisionConfig: hidden_size 3584 and tokens_per_second 4 (the
  // released files write 1280 and 2).
  static const config_json::ClassDefaults d{
      "qwen2_5_vl_vision", "transformers 5.25.0 Qwen2_5_VLVisionConfig, models/qwen2_5_vl/configuration_qwen2_5_vl.py",
      {{"depth", 32},
       {"hidden_size", 3584},
       {"hidden_act", "silu"},
       {"intermediate_size", 3420},
       {"num_heads", 16},
       {"in_channels", 3},
       {"patch_size", 14},
       {"spatial_merge_size", 2},
       {"temporal_patch_size", 2},
       {"tokens_per_second", 4},
       {"window_size", 112},
       {"out_hidden_size", 3584},
       {"fullatt_block_indexes", {7, 15, 23, 31}}}};
  return d;
}

}  // namespace pevlm::qwen2_5_vl
