// A deterministic tiny random LLaVA-Video checkpoint in the lmms-lab on-disk layout (llava_qwen:
// config.json + model.safetensors with model.vision_tower.vision_tower.vision_model.*,
// model.mm_projector.{0,2}.*, model.image_newline, model.* LLM, lm_head.weight; tokenizer.json,
// tokenizer_config.json with Qwen2's chat template, generation_config.json; config.json with the mm_* keys
// LLaVA-NeXT reads), for the demo and end-to-end tests. `pevlm make-tiny-model DIR --family llava_video`.
// Dimensions exercise the real code paths: SigLIP 56 px / patch 8 (odd 7x7 grid: average pooling
// rounds down to 3x3, bilinear up to 4x4), 3 tower layers of which 2 run, GQA 4/2 heads.
#pragma once

#include <string>
#include <vector>

#include "models/llava_video/config.h"
#include "models/video_lm/tiny_random.h"

namespace pevlm::llava_video {

// Writes the folder (created if needed); returns the files written. Same options -> identical files. The folder
// also holds kTinySiglipRelease, the tower's SigLIP release (write_tiny_siglip_release) that FastVID's model
// option fastvid_siglip reads.
std::vector<std::string> make_tiny_model(const std::string& dir, const TinyOptions& options = {});

// The tiny tower's "SigLIP release" as SiglipVisionModel.save_pretrained writes one (config.json model_type
// siglip_vision_model with vision_use_head, model.safetensors vision_model.* with post_layernorm and the
// attention-pooling head; float32 as the hub's so400m), for FastVID (models/siglip/pooling_head.h).
inline constexpr const char* kTinySiglipRelease = "siglip-so400m-patch14-384";
std::vector<std::string> write_tiny_siglip_release(const std::string& dir, uint64_t seed);

// The same model in transformers' llava_onevision layout (`--layout onevision`): config.json with
// text_config / vision_config, vision_tower.vision_model.*, multi_modal_projector.linear_{1,2}.*,
// image_newline, language_model.{model.*,lm_head.weight}; the tokenizer with "<image>" / "<video>" added, and
// the processor files (tokenizer_config.json, chat_template.json, processor_config.json,
// preprocessor_config.json, video_preprocessor_config.json) of transformers' LLaVA-OneVision conversion, which
// LlavaOnevisionForConditionalGeneration / AutoTokenizer / AutoImageProcessor load (tests/tiny_loaders_test.cpp).
std::vector<std::string> make_tiny_onevision_model(const std::string& dir, const TinyOptions& options = {});

}  // namespace pevlm::llava_video
