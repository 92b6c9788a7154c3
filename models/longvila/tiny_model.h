// A deterministic tiny random LongVILA checkpoint in VILA's split layout (config.json llava_llama;
// llm/ with config.json, two safetensors shards + index, tokenizer.json and tokenizer_config.json (Qwen2's
// chat template); vision_tower/ SigLIP vision_model.* + preprocessor_config.json; mm_projector/ mlp_downsample
// layers.{1,2,4}.*; the top-level keys VILA's loader reads), for the demo and end-to-end tests.
// `pevlm make-tiny-model DIR --family longvila`. SigLIP 56 px / patch 8 (odd 7 x 7 grid, zero-padded:
// 16 tokens + "\n" per frame), 3 tower layers of which 2 run (mm_vision_select_layer -2), 16 frames.
#pragma once

#include <string>
#include <vector>

#include "models/video_lm/tiny_random.h"

namespace pevlm::longvila {

// Writes the folder (created if needed); returns the files written. Same options -> identical files.
std::vector<std::string> make_tiny_model(const std::string& dir, const TinyOptions& options = {});

}  // namespace pevlm::longvila
