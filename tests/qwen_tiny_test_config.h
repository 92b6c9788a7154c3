// Shared by tests that build a Qwen2.5-VL LLM from random weights: tiny_config (2 layers, 4/2 heads of
// 32) with a `vocab`-word vocabulary and special ids 0..5.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

#include "models/qwen2_5_vl/config.h"
#include "models/qwen2_5_vl/tiny_model.h"

namespace pevlm::testing {

inline qwen2_5_vl::Qwen25VLConfig small_tiny_config(int64_t vocab = 512) {
  qwen2_5_vl::SpecialTokens tokens;
  tokens.bos = 0, tokens.eos = 1, tokens.vision_start = 2, tokens.vision_end = 3, tokens.image_pad = 4, tokens.video_pad = 5;
  return qwen2_5_vl::tiny_config(vocab, tokens, /*bf16=*/false);
}

// small_tiny_config(64) written as a config.json for `model:` keys, in a folder of this process: ctest
// runs every test case as its own process, two at a time, and a shared path let one case read the file
// while another rewrote it (SpeedConfig.DeviceIsIndexedAndMatchesTheExecutor failed once that way).
inline std::string tiny_config_json(const std::string& tag) {
  const auto dir = std::filesystem::temp_directory_path() / (tag + "_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "config.json").string();
  qwen2_5_vl::save_config(small_tiny_config(64), path);
  return path;
}

}  // namespace pevlm::testing
