// VILA's config defaults; see config_defaults.h.
#include "models/longvila/config_defaults.h"

namespace pevlm::longvila {

const config_json::ClassDefaults& llava_llama_defaults() {
  // NVlabs/VILA llava/model/configuration_llava.py LlavaConfig.__init__: mm_vision_select_layer,
  // mm_vision_select_feature, num_video_frames, fps and image_aspect_ratio default to None (the
  // vision encoder then indexes hidden_states[None] and the video loader has no frame count), so
  // none of them has a usable default: the file must carry them. The keys with real defaults are
  // ones this project does not read (mm_use_im_start_end False, mm_use_im_patch_token False, ...).
  static const config_json::ClassDefaults d{
      "llava_llama", "NVlabs/VILA LlavaLlamaConfig / LlavaConfig, llava/model/configuration_llava.py",
      {{"mm_use_im_start_end", false}, {"mm_use_im_patch_token", false}}};
  return d;
}

const config_json::ClassDefaults& v2l_projector_defaults() {
  // NVlabs/VILA llava/model/multimodal_projector/base_projector.py MultimodalProjectorConfig:
  // mm_projector_type=None (no usable default).
  static const config_json::ClassDefaults d{
      "v2l_projector", "NVlabs/VILA MultimodalProjectorConfig, llava/model/multimodal_projector/base_projector.py",
      nlohmann::json::object()};
  return d;
}

}  // namespace pevlm::longvila
