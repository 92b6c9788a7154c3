// Tiny checkpoints that the original loaders accept (issue 20, item 6): every family's make-tiny-model folder
// is checked by scripts/golden/check_tiny_loaders.py with the project .venv: Qwen2.5-VL through
// transformers' Qwen2_5_VLForConditionalGeneration / AutoProcessor / AutoTokenizer, LLaVA-Video's llava_onevision
// layout through LlavaOnevisionForConditionalGeneration / AutoTokenizer / AutoImageProcessor; LLaVA-Video (LLaVA-NeXT's
// llava_qwen layout) and LongVILA (VILA's split layout) through the keys their loaders read and the files
// they hand to transformers (AutoTokenizer, AutoConfig, SiglipImageProcessor). Also the file lists.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "models/llava_video/tiny_model.h"
#include "models/longvila/tiny_model.h"
#include "models/qwen2_5_vl/tiny_model.h"
#include "models/qwen3_vl/tiny_model.h"
#include "models/tokenizer/chat_template.h"
#include "models/tokenizer/tiny_tokenizer_config.h"

namespace fs = std::filesystem;

namespace {

class TinyLoaders : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // PEVLM_TINY_LOADERS_DIR keeps the folders there for a look (else a temporary folder, removed after).
    const char* keep = std::getenv("PEVLM_TINY_LOADERS_DIR");
    keep_ = keep != nullptr && *keep != 0;
    root_ = keep_ ? fs::path(keep) : fs::temp_directory_path() / ("pevlm_tiny_loaders_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    pevlm::qwen2_5_vl::TinyModelOptions q;
    q.bf16 = false;
    pevlm::qwen2_5_vl::make_tiny_model((root_ / "qwen").string(), q);
    pevlm::llava_video::make_tiny_model((root_ / "llava_video").string());
    pevlm::longvila::make_tiny_model((root_ / "longvila").string());
    pevlm::llava_video::make_tiny_onevision_model((root_ / "onevision").string());
    pevlm::qwen3_vl::make_tiny_model((root_ / "qwen3_vl").string(), {0, false});
  }
  static void TearDownTestSuite() {
    if (!keep_) fs::remove_all(root_);
  }
  static fs::path root_;
  static bool keep_;
};

fs::path TinyLoaders::root_;
bool TinyLoaders::keep_ = false;

nlohmann::json read(const fs::path& p) { return nlohmann::json::parse(std::ifstream(p)); }

TEST_F(TinyLoaders, EveryFamilyWritesTheReleasedFileSet) {
  for (const char* f : {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "chat_template.json",
                        "preprocessor_config.json", "generation_config.json"})
    EXPECT_TRUE(fs::exists(root_ / "qwen" / f)) << "qwen/" << f;
  for (const char* f : {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "generation_config.json"})
    EXPECT_TRUE(fs::exists(root_ / "llava_video" / f)) << "llava_video/" << f;
  for (const char* f : {"config.json", "llm/config.json", "llm/tokenizer.json", "llm/tokenizer_config.json",
                        "llm/model.safetensors.index.json", "vision_tower/config.json", "vision_tower/preprocessor_config.json",
                        "vision_tower/model.safetensors", "mm_projector/config.json", "mm_projector/model.safetensors"})
    EXPECT_TRUE(fs::exists(root_ / "longvila" / f)) << "longvila/" << f;
  for (const char* f : {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "chat_template.json",
                        "processor_config.json", "preprocessor_config.json", "video_preprocessor_config.json",
                        "generation_config.json"})
    EXPECT_TRUE(fs::exists(root_ / "onevision" / f)) << "onevision/" << f;
  for (const char* f : {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "preprocessor_config.json",
                        "video_preprocessor_config.json", "generation_config.json"})
    EXPECT_TRUE(fs::exists(root_ / "qwen3_vl" / f)) << "qwen3_vl/" << f;
}

TEST_F(TinyLoaders, ChatTemplatesAreTheReleasedOnes) {
  std::ifstream in(PEVLM_SHARED_DIR "/data/qwen2.5-vl-7b-instruct/chat_template.jinja");
  if (in) {
    const std::string released((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(pevlm::tokenizer::known_chat_template("qwen2_5_vl").text, released);
  }
  EXPECT_EQ(read(root_ / "qwen" / "tokenizer_config.json")["chat_template"], pevlm::tokenizer::known_chat_template("qwen2_5_vl").text);
  EXPECT_EQ(read(root_ / "qwen" / "chat_template.json")["chat_template"], pevlm::tokenizer::known_chat_template("qwen2_5_vl").text);
  EXPECT_EQ(read(root_ / "llava_video" / "tokenizer_config.json")["chat_template"], pevlm::tokenizer::known_chat_template("qwen2").text);
  EXPECT_EQ(read(root_ / "longvila" / "llm" / "tokenizer_config.json")["chat_template"], pevlm::tokenizer::known_chat_template("qwen2").text);
}

TEST_F(TinyLoaders, OriginalLoadersAcceptThem) {
  const std::string log = root_.string() + ".log";
  const std::string cmd = std::string(PEVLM_SOURCE_DIR "/.venv/bin/python ") + PEVLM_SOURCE_DIR +
                          "/scripts/golden/check_tiny_loaders.py " + (root_ / "qwen").string() + " " +
                          (root_ / "llava_video").string() + " " + (root_ / "longvila").string() + " " + (root_ / "onevision").string() + " " +
                          (root_ / "qwen3_vl").string() + " > " + log +
                          " 2>&1";
  const int rc = std::system(cmd.c_str());
  std::ifstream in(log);
  const std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  fs::remove(log);
  EXPECT_EQ(rc, 0) << out;
}

}  // namespace
