// Default tables of LLaVA-Video's config layouts; see config_defaults.h.
#include "models/llava_video/config_defaults.h"

namespace pevlm::llava_video {

const config_json::ClassDefaults& llava_onevision_defaults() {
  // transformers 5.25.0 models/llava_onevision/configuration_llava_onevision.py LlavaOnevisionConfig.
  static const config_json::ClassDefaults d{
      "llava_onevision", "transformers 5.25.0 LlavaOnevisionConfig, models/llava_onevision/configuration_llava_onevision.py",
      {{"image_token_index", 151646},
       {"video_token_index", 151647},
       {"projector_hidden_act", "gelu"},
       {"vision_feature_select_strategy", "full"},
       {"vision_feature_layer", -1},
       {"multimodal_projector_bias", true},
       {"tie_word_embeddings", false},
       {"vision_aspect_ratio", "anyres_max_9"}}};
  return d;
}

const nlohmann::json& llava_onevision_default_vision_config() {
  // LlavaOnevisionConfig.sub_configs_defaults["vision_config"] (transformers 5.25.0).
  static const nlohmann::json j = {{"model_type", "siglip_vision_model"}, {"hidden_size", 1152},
                                   {"intermediate_size", 4304},          {"patch_size", 14},
                                   {"image_size", 384},                  {"num_hidden_layers", 26},
                                   {"num_attention_heads", 16},          {"vision_use_head", false}};
  return j;
}

const config_json::ClassDefaults& llava_qwen_defaults() {
  // LLaVA-NeXT (LLaVA-VL/LLaVA-NeXT main): multimodal_projector/builder.py build_vision_projector
  // getattr(config, "mm_projector_type", "linear"); llava_arch.py prepare_inputs_labels_for_multimodal
  // mm_patch_merge_type "flat", image_aspect_ratio "square", mm_newline_position "one_token",
  // add_faster_video False, tokenizer_padding_side "right"; builder.py load_pretrained_model
  // mm_use_im_start_end False, mm_use_im_patch_token True. mm_spatial_pool_stride is read as an
  // attribute (no default in LLaVA-NeXT); lmms-eval models/llava_vid.py always overwrites it with its
  // mm_spatial_pool_stride argument, 2 by default. mm_vision_tower and mm_hidden_size have none.
  static const config_json::ClassDefaults d{
      "llava_qwen", "LLaVA-NeXT getattr defaults (llava_arch.py, multimodal_projector/builder.py, model/builder.py)",
      {{"mm_projector_type", "linear"},
       {"mm_patch_merge_type", "flat"},
       {"image_aspect_ratio", "square"},
       {"mm_newline_position", "one_token"},
       {"add_faster_video", false},
       {"tokenizer_padding_side", "right"},
       {"mm_use_im_start_end", false},
       {"mm_use_im_patch_token", true},
       {"mm_spatial_pool_stride", 2}}};
  return d;
}

}  // namespace pevlm::llava_video
