// Config files as transformers writes them (issue 20, item 4): every family's reader applied to folders
// written by transformers' own save_pretrained, and to the same files pruned to what differs from the class
// defaults (transformers 4.x's nested diff), compared field by field with what transformers reads back from
// them (scripts/golden/make_config_fixtures.py, run here once per build with the project .venv).
// Also: a key without a default is an error naming the file, the key and the model_type.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "models/llava_video/config.h"
#include "models/longvila/config.h"
#include "models/qwen2_5_vl/config.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The fixtures, written once per build: ctest runs every case in its own process, and the script takes ~20 s,
// so the folders are kept in the build tree under a name keyed by the script's text (a changed script writes new
// ones). Each writer fills a private folder and renames it into place, so parallel cases never see half a set.
class ConfigFixtures : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string script = PEVLM_SOURCE_DIR "/scripts/golden/make_config_fixtures.py";
    std::ifstream in(script);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    dir_ = fs::current_path() / ("config_fixtures_" + std::to_string(std::hash<std::string>{}(text)));
    if (!fs::exists(dir_ / "expected.json")) {
      const fs::path tmp = dir_.string() + ".tmp" + std::to_string(::getpid());
      fs::remove_all(tmp);
      log_ = tmp.string() + ".log";
      const std::string cmd = std::string(PEVLM_SOURCE_DIR "/.venv/bin/python ") + script + " " + tmp.string() + " > " +
                              log_ + " 2>&1";
      status_ = std::system(cmd.c_str());
      if (status_ != 0) return;
      std::error_code ec;
      fs::rename(tmp, dir_, ec);  // fails when another case got there first: use its set
      fs::remove_all(tmp);
      fs::remove(log_);
    }
    status_ = 0;
    expected_ = json::parse(std::ifstream(dir_ / "expected.json"));
  }
  void SetUp() override {
    ASSERT_EQ(status_, 0) << "scripts/golden/make_config_fixtures.py failed (needs transformers in .venv); see " << log_;
  }
  static const json& expected(const std::string& c) { return expected_.at(c); }

  static fs::path dir_;
  static std::string log_;
  static int status_;
  static json expected_;
};

fs::path ConfigFixtures::dir_;
std::string ConfigFixtures::log_;
int ConfigFixtures::status_ = -1;
json ConfigFixtures::expected_;

void expect_text(const pevlm::llm::TextConfig& t, const json& e, const std::string& c) {
  SCOPED_TRACE(c + " text");
  EXPECT_EQ(t.hidden_size, e["hidden_size"].get<int64_t>());
  EXPECT_EQ(t.num_layers, e["num_layers"].get<int64_t>());
  EXPECT_EQ(t.num_heads, e["num_heads"].get<int64_t>());
  EXPECT_EQ(t.num_kv_heads, e["num_kv_heads"].get<int64_t>());
  EXPECT_EQ(t.intermediate_size, e["intermediate_size"].get<int64_t>());
  EXPECT_EQ(t.vocab_size, e["vocab_size"].get<int64_t>());
  EXPECT_EQ(t.rope_theta, e["rope_theta"].get<double>());
  EXPECT_EQ(t.rms_norm_eps, e["rms_norm_eps"].get<double>());
  EXPECT_EQ(t.max_position_embeddings, e["max_position_embeddings"].get<int64_t>());
  EXPECT_EQ(t.hidden_act, e["hidden_act"].get<std::string>());
  EXPECT_EQ(t.tie_word_embeddings, e["tie_word_embeddings"].get<bool>());
  EXPECT_EQ(t.head_dim, t.hidden_size / t.num_heads);
  if (e.contains("mrope_section")) {
    EXPECT_EQ(std::vector<int64_t>(t.mrope_section.begin(), t.mrope_section.end()),
              e["mrope_section"].get<std::vector<int64_t>>());
  } else {
    EXPECT_EQ(t.mrope_section[0], t.head_dim / 2);  // 1-D RoPE: every frequency on one axis
  }
}

void expect_siglip(const pevlm::siglip::SiglipConfig& v, const json& e, const std::string& c) {
  SCOPED_TRACE(c + " vision");
  EXPECT_EQ(v.hidden_size, e["hidden_size"].get<int64_t>());
  EXPECT_EQ(v.intermediate_size, e["intermediate_size"].get<int64_t>());
  EXPECT_EQ(v.num_layers, e["num_layers"].get<int64_t>());
  EXPECT_EQ(v.num_heads, e["num_heads"].get<int64_t>());
  EXPECT_EQ(v.num_channels, e["num_channels"].get<int64_t>());
  EXPECT_EQ(v.image_size, e["image_size"].get<int64_t>());
  EXPECT_EQ(v.patch_size, e["patch_size"].get<int64_t>());
  EXPECT_EQ(v.layer_norm_eps, e["layer_norm_eps"].get<double>());
  EXPECT_EQ(v.hidden_act, e["hidden_act"].get<std::string>());
}

TEST_F(ConfigFixtures, Qwen25VLReadsEveryFieldAsTransformers) {
  for (const char* c : {"qwen2_5_vl", "qwen2_5_vl_diff", "qwen2_5_vl_flat"}) {
    SCOPED_TRACE(c);
    const auto cfg = pevlm::qwen2_5_vl::load_config((dir_ / c).string());
    const json& e = expected(c);
    expect_text(cfg.text, e["text"], c);
    const auto& v = cfg.vision;
    const json& ev = e["vision"];
    EXPECT_EQ(v.depth, ev["depth"].get<int64_t>());
    EXPECT_EQ(v.hidden_size, ev["hidden_size"].get<int64_t>());
    EXPECT_EQ(v.num_heads, ev["num_heads"].get<int64_t>());
    EXPECT_EQ(v.intermediate_size, ev["intermediate_size"].get<int64_t>());
    EXPECT_EQ(v.patch_size, ev["patch_size"].get<int64_t>());
    EXPECT_EQ(v.temporal_patch_size, ev["temporal_patch_size"].get<int64_t>());
    EXPECT_EQ(v.spatial_merge_size, ev["spatial_merge_size"].get<int64_t>());
    EXPECT_EQ(v.window_size, ev["window_size"].get<int64_t>());
    EXPECT_EQ(v.fullatt_block_indexes, ev["fullatt_block_indexes"].get<std::vector<int64_t>>());
    EXPECT_EQ(v.out_hidden_size, ev["out_hidden_size"].get<int64_t>());
    EXPECT_EQ(v.tokens_per_second, ev["tokens_per_second"].get<double>());
    EXPECT_EQ(v.in_channels, ev["in_channels"].get<int64_t>());
    EXPECT_EQ(v.hidden_act, ev["hidden_act"].get<std::string>());
    const json& et = e["tokens"];
    EXPECT_EQ(cfg.tokens.bos, et["bos"].get<int64_t>());
    EXPECT_EQ(cfg.tokens.eos, et["eos"].get<int64_t>());
    EXPECT_EQ(cfg.tokens.image_pad, et["image_pad"].get<int64_t>());
    EXPECT_EQ(cfg.tokens.video_pad, et["video_pad"].get<int64_t>());
    EXPECT_EQ(cfg.tokens.vision_start, et["vision_start"].get<int64_t>());
    EXPECT_EQ(cfg.tokens.vision_end, et["vision_end"].get<int64_t>());
  }
}

TEST_F(ConfigFixtures, LlavaOnevisionReadsEveryFieldAsTransformers) {
  for (const char* c : {"llava_onevision", "llava_onevision_diff", "llava_onevision_defaults"}) {
    SCOPED_TRACE(c);
    const auto cfg = pevlm::llava_video::load_config(dir_ / c);
    EXPECT_EQ(cfg.layout, pevlm::llava_video::Layout::Onevision);
    expect_text(cfg.text, expected(c)["text"], c);
    expect_siglip(cfg.vision, expected(c)["vision"], c);
    EXPECT_EQ(cfg.vision_layers, expected(c)["vision_layers"].get<int64_t>());
  }
}

fs::path edited(const fs::path& fixtures, const std::string& c, const std::string& file, void (*edit)(json&));

TEST_F(ConfigFixtures, LlavaQwenReadsEveryFieldAsLlavaNext) {
  for (const char* c : {"llava_qwen", "llava_qwen_diff"}) {
    SCOPED_TRACE(c);
    const auto cfg = pevlm::llava_video::load_config(dir_ / c);
    EXPECT_EQ(cfg.layout, pevlm::llava_video::Layout::LmmsLab);
    expect_text(cfg.text, expected(c)["text"], c);
    expect_siglip(cfg.vision, expected(c)["vision"], c);
    EXPECT_EQ(cfg.vision_layers, expected(c)["vision_layers"].get<int64_t>());
    EXPECT_EQ(cfg.projector_type, expected(c)["projector_type"].get<std::string>());
    EXPECT_EQ(cfg.pool_stride, expected(c)["pool_stride"].get<int64_t>());
  }
  // lmms-lab's LLaVA-OneVision folders (llava-onevision-qwen2-7b-ov) write model_type "llava" for the same class.
  const fs::path ov = edited(dir_, "llava_qwen_diff", "config.json", [](json& j) {
    j["model_type"] = "llava";
    j["architectures"] = json::array({"LlavaQwenForCausalLM"});
  });
  const auto cfg = pevlm::llava_video::load_config(ov);
  EXPECT_EQ(cfg.layout, pevlm::llava_video::Layout::LmmsLab);
  expect_text(cfg.text, expected("llava_qwen_diff")["text"], "llava");
  expect_siglip(cfg.vision, expected("llava_qwen_diff")["vision"], "llava");
  fs::remove_all(ov);
}

TEST_F(ConfigFixtures, VilaSplitFolderReadsEveryFieldAsVila) {
  for (const char* c : {"vila", "vila_diff"}) {
    SCOPED_TRACE(c);
    const auto cfg = pevlm::longvila::load_config(dir_ / c);
    expect_text(cfg.text, expected(c)["text"], c);
    expect_siglip(cfg.vision, expected(c)["vision"], c);
    EXPECT_EQ(cfg.vision_layers, expected(c)["vision_layers"].get<int64_t>());
    EXPECT_EQ(cfg.frames, expected(c)["frames"].get<int64_t>());
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(cfg.image_mean[i], expected(c)["image_mean"][i].get<double>());
      EXPECT_EQ(cfg.image_std[i], expected(c)["image_std"][i].get<double>());
    }
  }
}

// Copies fixture `c` to a scratch folder, edits its config.json (`file` below it) and returns the folder.
fs::path edited(const fs::path& fixtures, const std::string& c, const std::string& file, void (*edit)(json&)) {
  const fs::path dir = fs::temp_directory_path() / ("pevlm_config_edit_" + std::to_string(::getpid()) + "_" + c);
  fs::remove_all(dir);
  fs::copy(fixtures / c, dir, fs::copy_options::recursive);
  json j = json::parse(std::ifstream(dir / file));
  edit(j);
  std::ofstream(dir / file) << j.dump(2);
  return dir;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

TEST_F(ConfigFixtures, KeysWithoutDefaultsAreErrorsNamingFileKeyAndModelType) {
  const fs::path qwen = edited(dir_, "llava_qwen_diff", "config.json", [](json& j) { j.erase("mm_hidden_size"); });
  std::string msg = error_of([&] { pevlm::llava_video::load_config(qwen); });
  EXPECT_NE(msg.find((qwen / "config.json").string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("'mm_hidden_size' missing"), std::string::npos) << msg;
  EXPECT_NE(msg.find("model_type 'llava_qwen' has no default"), std::string::npos) << msg;

  const fs::path vila = edited(dir_, "vila_diff", "config.json", [](json& j) { j.erase("num_video_frames"); });
  msg = error_of([&] { pevlm::longvila::load_config(vila); });
  EXPECT_NE(msg.find("'num_video_frames' missing"), std::string::npos) << msg;
  EXPECT_NE(msg.find("model_type 'llava_llama' has no default"), std::string::npos) << msg;

  // null is None in transformers: the class default does not apply.
  const fs::path ov = edited(dir_, "llava_onevision_diff", "config.json", [](json& j) { j["vision_feature_layer"] = nullptr; });
  msg = error_of([&] { pevlm::llava_video::load_config(ov); });
  EXPECT_NE(msg.find("'vision_feature_layer' missing"), std::string::npos) << msg;
  EXPECT_NE(msg.find("it is null"), std::string::npos) << msg;
  for (const fs::path& d : {qwen, vila, ov}) fs::remove_all(d);
}

TEST_F(ConfigFixtures, OmittedProjectorTypeIsLlavaNextsLinearDefaultAndUnsupported) {
  const fs::path d = edited(dir_, "llava_qwen_diff", "config.json", [](json& j) { j.erase("mm_projector_type"); });
  const std::string msg = error_of([&] { pevlm::llava_video::load_config(d); });
  EXPECT_NE(msg.find("'mm_projector_type' is 'linear'"), std::string::npos) << msg;
  fs::remove_all(d);
}

TEST_F(ConfigFixtures, LegacyVisionSpellingsMustAgree) {
  const fs::path d = edited(dir_, "qwen2_5_vl_flat", "config.json", [](json& j) { j["vision_config"]["spatial_patch_size"] = 16; });
  const std::string msg = error_of([&] { pevlm::qwen2_5_vl::load_config(d.string()); });
  EXPECT_NE(msg.find("vision_config.spatial_patch_size' is 16 but patch_size is 14"), std::string::npos) << msg;
  fs::remove_all(d);
}

}  // namespace
