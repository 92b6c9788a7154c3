// Each config.json validation error names the file and the offending key; each case starts
// from the released 7B values (config_preset -> to_json) and breaks one field.
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "models/qwen2_5_vl/config.h"

namespace q = pevlm::qwen2_5_vl;
using nlohmann::json;

namespace {

json base() { return json::parse(q::to_json(q::config_preset("qwen2.5-vl-7b"))); }

// Parses `j` as "broken.json" and expects an error mentioning the file, `key` and `detail`.
void expect_key_error(const json& j, const std::string& key, const std::string& detail) {
  try {
    q::parse_config(j.dump(), "broken.json");
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("broken.json"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'" + key + "'"), std::string::npos) << "expected key '" << key << "' in: " << msg;
    EXPECT_NE(msg.find(detail), std::string::npos) << "expected '" << detail << "' in: " << msg;
    return;
  }
  ADD_FAILURE() << "no error for key " << key;
}

struct Case {
  const char* what;
  std::function<void(json&)> mutate;
  const char* key;
  const char* detail;
};

TEST(QwenConfigValidation, BaseIsValid) { EXPECT_NO_THROW(q::parse_config(base().dump(), "ok.json")); }

TEST(QwenConfigValidation, EachErrorNamesItsKey) {
  const std::vector<Case> cases = {
      {"mrope sum", [](json& j) { j["rope_scaling"]["mrope_section"] = {16, 24, 23}; }, "rope_scaling.mrope_section",
       "head_dim / 2 = 64"},
      {"mrope length", [](json& j) { j["rope_scaling"]["mrope_section"] = {32, 32}; }, "rope_scaling.mrope_section",
       "3 entries"},
      {"rope type", [](json& j) { j["rope_scaling"]["type"] = "yarn"; }, "rope_scaling.type", "yarn"},
      {"rope_type", [](json& j) { j["rope_scaling"] = {{"rope_type", "linear"}, {"mrope_section", {16, 24, 24}}}; },
       "rope_scaling.rope_type", "linear"},
      {"rope not object", [](json& j) { j["rope_scaling"] = "mrope"; }, "rope_scaling", "must be an object"},
      {"hidden % heads", [](json& j) { j["hidden_size"] = 3585; j["vision_config"]["out_hidden_size"] = 3585; },
       "num_attention_heads", "does not divide hidden_size 3585"},
      {"heads % kv", [](json& j) { j["num_key_value_heads"] = 3; }, "num_key_value_heads", "does not divide"},
      {"kv zero", [](json& j) { j["num_key_value_heads"] = 0; }, "num_key_value_heads", "positive"},
      {"layers", [](json& j) { j["num_hidden_layers"] = 0; }, "num_hidden_layers", "positive"},
      {"vocab", [](json& j) { j["vocab_size"] = -5; }, "vocab_size", "positive"},
      {"intermediate", [](json& j) { j["intermediate_size"] = 0; }, "intermediate_size", "positive"},
      {"eps", [](json& j) { j["rms_norm_eps"] = 0.0; }, "rms_norm_eps", "positive"},
      {"theta", [](json& j) { j["rope_theta"] = -1.0; }, "rope_theta", "positive"},
      {"hidden null", [](json& j) { j["hidden_size"] = nullptr; }, "hidden_size", "it is null, and model_type 'qwen2_5_vl_text'"},
      {"hidden type", [](json& j) { j["hidden_size"] = "big"; }, "hidden_size", "integer"},
      {"hidden float", [](json& j) { j["hidden_size"] = 3584.5; }, "hidden_size", "integer"},
      {"tie type", [](json& j) { j["tie_word_embeddings"] = 1; }, "tie_word_embeddings", "true or false"},
      {"head_dim key", [](json& j) { j["head_dim"] = 64; }, "head_dim", "hidden_size / num_attention_heads"},
      {"act", [](json& j) { j["hidden_act"] = "gelu"; }, "hidden_act", "silu"},
      {"vision heads", [](json& j) { j["vision_config"]["num_heads"] = 15; }, "vision_config.num_heads",
       "does not divide"},
      {"vision head_dim", [](json& j) { j["vision_config"]["num_heads"] = 128; }, "vision_config.num_heads",
       "multiple of 4"},
      {"vision depth", [](json& j) { j["vision_config"]["depth"] = 0; }, "vision_config.depth", "positive"},
      {"vision hidden", [](json& j) { j["vision_config"]["hidden_size"] = -1280; }, "vision_config.hidden_size",
       "positive"},
      {"vision patch", [](json& j) { j["vision_config"]["patch_size"] = 0; }, "vision_config.patch_size", "positive"},
      {"vision merge", [](json& j) { j["vision_config"]["spatial_merge_size"] = 0; }, "vision_config.spatial_merge_size",
       "positive"},
      {"window", [](json& j) { j["vision_config"]["window_size"] = 100; }, "vision_config.window_size",
       "multiple of patch_size * spatial_merge_size = 28"},
      {"fullatt", [](json& j) { j["vision_config"]["fullatt_block_indexes"] = {7, 32}; },
       "vision_config.fullatt_block_indexes", "outside [0, depth=32)"},
      {"fullatt type", [](json& j) { j["vision_config"]["fullatt_block_indexes"] = "7"; },
       "vision_config.fullatt_block_indexes", "array of integers"},
      {"out hidden", [](json& j) { j["vision_config"]["out_hidden_size"] = 2048; }, "vision_config.out_hidden_size",
       "must equal the LLM hidden_size 3584"},
      {"vision null key", [](json& j) { j["vision_config"]["temporal_patch_size"] = nullptr; },
       "vision_config.temporal_patch_size", "model_type 'qwen2_5_vl_vision' needs a value"},
      {"vision act", [](json& j) { j["vision_config"]["hidden_act"] = "quick_gelu"; }, "vision_config.hidden_act",
       "silu"},
      {"vision_config", [](json& j) { j["vision_config"] = "vit"; }, "vision_config", "must be an object"},
      {"video id", [](json& j) { j["video_token_id"] = 999999; }, "video_token_id", "vocab_size=152064"},
      {"video id null", [](json& j) { j["video_token_id"] = nullptr; }, "video_token_id", "model_type 'qwen2_5_vl' needs a value"},
      {"vision_start", [](json& j) { j["vision_start_token_id"] = -3; }, "vision_start_token_id", "[0, vocab_size"},
      {"model_type", [](json& j) { j["model_type"] = "qwen2_vl"; }, "model_type", "qwen2_5_vl"},
      {"eos", [](json& j) { j["eos_token_id"] = json::array(); }, "eos_token_id", "token id"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    json j = base();
    c.mutate(j);
    expect_key_error(j, c.key, c.detail);
  }
}

// Omitted keys take the transformers 5.25.0 class defaults (config_defaults.cpp); tests/config_defaults_test.cpp
// compares whole files against transformers itself.
TEST(QwenConfigValidation, OmittedKeysTakeClassDefaults) {
  json j = base();
  j["rope_scaling"].erase("mrope_section");
  EXPECT_EQ(q::parse_config(j.dump(), "d.json").text.mrope_section, (std::array<int64_t, 3>{16, 24, 24}));
  j.erase("rope_scaling");
  j.erase("rope_theta");
  const auto no_rope = q::parse_config(j.dump(), "d.json");
  EXPECT_EQ(no_rope.text.rope_type, "default");
  EXPECT_EQ(no_rope.text.rope_theta, 1e6);  // Qwen2_5_VLTextConfig.default_theta
  j = base();
  for (const char* k : {"rms_norm_eps", "max_position_embeddings", "video_token_id"}) j.erase(k);
  j["vision_config"].erase("tokens_per_second");
  j["vision_config"].erase("temporal_patch_size");
  const auto c = q::parse_config(j.dump(), "d.json");
  EXPECT_EQ(c.text.rms_norm_eps, 1e-5);  // not the released 1e-6
  EXPECT_EQ(c.text.max_position_embeddings, 32768);
  EXPECT_EQ(c.tokens.video_pad, 151656);
  EXPECT_EQ(c.vision.tokens_per_second, 4.0);  // not the released 2
  EXPECT_EQ(c.vision.temporal_patch_size, 2);
  // No vision_config at all: Qwen2_5_VLVisionConfig() (hidden 3584 = out_hidden_size = the 7B LLM width).
  j = base();
  j.erase("vision_config");
  const auto v = q::parse_config(j.dump(), "d.json").vision;
  EXPECT_EQ(v.depth, 32);
  EXPECT_EQ(v.hidden_size, 3584);
  EXPECT_EQ(v.fullatt_block_indexes, (std::vector<int64_t>{7, 15, 23, 31}));
}

TEST(QwenConfigValidation, MalformedFiles) {
  try {
    q::parse_config("{\"hidden_size\": ", "trunc.json");
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("trunc.json: not valid JSON"), std::string::npos) << e.what();
  }
  try {
    q::load_config("/nonexistent_pevlm/config.json");
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent_pevlm/config.json"), std::string::npos) << e.what();
  }
}

// validate() on a struct built in code names the key and the config source.
TEST(QwenConfigValidation, ValidateStruct) {
  q::Qwen25VLConfig c = q::config_preset("qwen2.5-vl-3b");
  c.text.mrope_section = {16, 24, 25};
  try {
    q::validate(c);
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("preset:qwen2.5-vl-3b: key 'rope_scaling.mrope_section'"), std::string::npos)
        << e.what();
  }
}

}  // namespace
