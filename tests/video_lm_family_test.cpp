// Family detection from config.json (models/video_lm/family.h): each supported spelling, and an
// unsupported one is an error naming the file, what it says and the supported families; the released
// LLM dimensions of every family for `pevlm speed` (models/video_lm/presets.h).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "models/video_lm/family.h"
#include "models/video_lm/presets.h"
#include "tests/error_test_util.h"

namespace fs = std::filesystem;

namespace {

fs::path folder_with(const std::string& name, const std::string& config_json, bool with_llm = false) {
  const fs::path d = fs::temp_directory_path() / ("pevlm_family_" + name + "_" + std::to_string(::getpid()));
  fs::create_directories(d);
  std::ofstream(d / "config.json") << config_json;
  if (with_llm) fs::create_directories(d / "llm");
  return d;
}

TEST(VideoLmFamily, DetectsEveryLayout) {
  EXPECT_EQ(pevlm::detect_family(folder_with("q", R"({"model_type": "qwen2_5_vl"})")), "qwen2_5_vl");
  EXPECT_EQ(pevlm::detect_family(folder_with("lq", R"({"model_type": "llava_qwen"})")), "llava_video");
  EXPECT_EQ(pevlm::detect_family(folder_with("lo", R"({"architectures": ["LlavaOnevisionForConditionalGeneration"]})")),
            "llava_video");
  EXPECT_EQ(pevlm::detect_family(folder_with("lv", R"({"model_type": "llava_llama"})", true)), "longvila");
  EXPECT_EQ(pevlm::detect_family(folder_with("q3", R"({"model_type": "qwen3_vl"})")), "qwen3_vl");
}

TEST(VideoLmFamily, UnsupportedListsTheFamilies) {
  pevlm::testing::expect_error([] { pevlm::detect_family(folder_with("x", R"({"model_type": "qwen3_vl_moe", "architectures": ["Qwen3VLMoeForConditionalGeneration"]})")); },
                               {"config.json", "qwen3_vl_moe", "Qwen3VLMoeForConditionalGeneration",
                                "qwen2_5_vl, qwen3_vl, llava_video, longvila"});
  pevlm::testing::expect_error([] { pevlm::detect_family(folder_with("nl", R"({"model_type": "llava_llama"})")); },
                               {"no llm/ sub-folder", "supported families"});
  pevlm::testing::expect_error([] { pevlm::detect_family(fs::temp_directory_path() / "pevlm_family_missing_dir"); },
                               {"cannot read", "config.json"});
}

}  // namespace

namespace {

TEST(VideoLmPresets, ReleasedLlmDimensionsForSpeed) {
  const auto llava = pevlm::llm_preset("llava-video-7b-qwen2");
  EXPECT_EQ(llava.text.hidden_size, 3584);
  EXPECT_EQ(llava.text.num_kv_heads, 4);
  EXPECT_DOUBLE_EQ(llava.text.rope_theta, 1e6);
  EXPECT_EQ(llava.text.mrope_section, (std::array<int64_t, 3>{64, 0, 0}));  // 1-D RoPE
  EXPECT_DOUBLE_EQ(pevlm::llm_preset("longvila-7b-256f").text.rope_theta, 1.53e7);
  EXPECT_EQ(pevlm::llm_preset("qwen2.5-vl-7b-instruct").text.mrope_section, (std::array<int64_t, 3>{16, 24, 24}));
  pevlm::testing::expect_error([] { pevlm::llm_preset("llava-video-72b"); },
                               {"llava-video-72b",
                                "qwen2.5-vl-7b, qwen2.5-vl-3b, qwen3-vl-2b, qwen3-vl-4b, qwen3-vl-8b, llava-video-7b, longvila-7b"});
  // Qwen3-VL: the shared decoder's Qwen3 variant with the released dimensions.
  const auto q8 = pevlm::llm_preset("qwen3-vl-8b-instruct");
  EXPECT_EQ(q8.text.num_layers, 36);
  EXPECT_EQ(q8.text.num_heads, 32);
  EXPECT_EQ(q8.text.num_kv_heads, 8);
  EXPECT_EQ(q8.text.head_dim, 128);
  EXPECT_TRUE(q8.text.qk_norm);
  EXPECT_EQ(q8.text.rope_kind, pevlm::llm::RopeKind::MropeInterleaved);
  EXPECT_FALSE(q8.text.qkv_bias);
  EXPECT_EQ(q8.model_type, "qwen3_vl");
  EXPECT_EQ(pevlm::llm_preset("qwen3-vl-4b").text.hidden_size, 2560);
}

}  // namespace
