// Qwen2.5-VL config.json loading: the released 7B / 3B files (two rope_scaling spellings, tied
// vs untied embeddings, older vision key aliases), the golden tiny config written by
// transformers 4.50, a text_config-only layout (transformers >= 4.52), presets, to_json round
// trips, and every validation error naming its key. Expected values: ../shared/reference/qwen2_5_vl.md.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "models/qwen2_5_vl/config.h"
#include "tests/error_test_util.h"

namespace q = pevlm::qwen2_5_vl;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const fs::path kData = fs::path(PEVLM_SHARED_DIR) / "data";
const fs::path kTiny = fs::path(PEVLM_SHARED_DIR) / "golden" / "qwen2_5_vl_tiny";

json read_json(const fs::path& p) { return json::parse(std::ifstream(p)); }

using pevlm::testing::expect_error;

// Field-by-field equality (source excluded).
void expect_same(const q::Qwen25VLConfig& a, const q::Qwen25VLConfig& b) {
  const auto &ta = a.text, &tb = b.text;
  EXPECT_EQ(ta.hidden_size, tb.hidden_size);
  EXPECT_EQ(ta.num_layers, tb.num_layers);
  EXPECT_EQ(ta.num_heads, tb.num_heads);
  EXPECT_EQ(ta.num_kv_heads, tb.num_kv_heads);
  EXPECT_EQ(ta.head_dim, tb.head_dim);
  EXPECT_EQ(ta.intermediate_size, tb.intermediate_size);
  EXPECT_EQ(ta.vocab_size, tb.vocab_size);
  EXPECT_EQ(ta.rope_theta, tb.rope_theta);
  EXPECT_EQ(ta.rms_norm_eps, tb.rms_norm_eps);
  EXPECT_EQ(ta.mrope_section, tb.mrope_section);
  EXPECT_EQ(ta.tie_word_embeddings, tb.tie_word_embeddings);
  EXPECT_EQ(ta.max_position_embeddings, tb.max_position_embeddings);
  EXPECT_EQ(ta.hidden_act, tb.hidden_act);
  const auto &va = a.vision, &vb = b.vision;
  EXPECT_EQ(va.depth, vb.depth);
  EXPECT_EQ(va.hidden_size, vb.hidden_size);
  EXPECT_EQ(va.num_heads, vb.num_heads);
  EXPECT_EQ(va.intermediate_size, vb.intermediate_size);
  EXPECT_EQ(va.patch_size, vb.patch_size);
  EXPECT_EQ(va.temporal_patch_size, vb.temporal_patch_size);
  EXPECT_EQ(va.spatial_merge_size, vb.spatial_merge_size);
  EXPECT_EQ(va.window_size, vb.window_size);
  EXPECT_EQ(va.fullatt_block_indexes, vb.fullatt_block_indexes);
  EXPECT_EQ(va.out_hidden_size, vb.out_hidden_size);
  EXPECT_EQ(va.tokens_per_second, vb.tokens_per_second);
  EXPECT_EQ(va.in_channels, vb.in_channels);
  EXPECT_EQ(va.hidden_act, vb.hidden_act);
  const auto &sa = a.tokens, &sb = b.tokens;
  EXPECT_EQ(sa.bos, sb.bos);
  EXPECT_EQ(sa.eos, sb.eos);
  EXPECT_EQ(sa.pad, sb.pad);
  EXPECT_EQ(sa.vision_start, sb.vision_start);
  EXPECT_EQ(sa.vision_end, sb.vision_end);
  EXPECT_EQ(sa.vision_pad, sb.vision_pad);
  EXPECT_EQ(sa.image_pad, sb.image_pad);
  EXPECT_EQ(sa.video_pad, sb.video_pad);
  EXPECT_EQ(a.model_type, b.model_type);
  EXPECT_EQ(a.torch_dtype, b.torch_dtype);
}

#define REQUIRE_FILE(p) \
  if (!fs::exists(p)) GTEST_SKIP() << "missing " << (p)

TEST(QwenConfig, Released7B) {
  REQUIRE_FILE(kData / "qwen2.5-vl-7b-instruct" / "config.json");
  const auto c = q::load_config((kData / "qwen2.5-vl-7b-instruct" / "config.json").string());
  EXPECT_EQ(c.text.hidden_size, 3584);
  EXPECT_EQ(c.text.num_layers, 28);
  EXPECT_EQ(c.text.num_heads, 28);
  EXPECT_EQ(c.text.num_kv_heads, 4);
  EXPECT_EQ(c.text.q_per_kv(), 7);
  EXPECT_EQ(c.text.head_dim, 128);
  EXPECT_EQ(c.text.intermediate_size, 18944);
  EXPECT_EQ(c.text.vocab_size, 152064);
  EXPECT_EQ(c.text.rope_theta, 1e6);
  EXPECT_EQ(c.text.rms_norm_eps, 1e-6);
  EXPECT_EQ(c.text.mrope_section, (std::array<int64_t, 3>{16, 24, 24}));
  EXPECT_EQ(c.text.rope_type, "mrope");  // spelled "rope_type" in this file
  EXPECT_FALSE(c.text.tie_word_embeddings);
  EXPECT_EQ(c.text.max_position_embeddings, 128000);
  EXPECT_EQ(c.vision.depth, 32);
  EXPECT_EQ(c.vision.hidden_size, 1280);
  EXPECT_EQ(c.vision.num_heads, 16);
  EXPECT_EQ(c.vision.head_dim(), 80);
  EXPECT_EQ(c.vision.intermediate_size, 3420);
  EXPECT_EQ(c.vision.patch_size, 14);
  EXPECT_EQ(c.vision.temporal_patch_size, 2);
  EXPECT_EQ(c.vision.spatial_merge_size, 2);
  EXPECT_EQ(c.vision.window_size, 112);
  EXPECT_EQ(c.vision.window_merged_tokens(), 4);
  EXPECT_EQ(c.vision.fullatt_block_indexes, (std::vector<int64_t>{7, 15, 23, 31}));
  EXPECT_TRUE(c.vision.is_full_attention_block(15));
  EXPECT_FALSE(c.vision.is_full_attention_block(16));
  EXPECT_EQ(c.vision.out_hidden_size, 3584);
  EXPECT_EQ(c.vision.tokens_per_second, 2.0);
  EXPECT_EQ(c.vision.in_channels, 3);  // "in_chans" in this file
  EXPECT_EQ(c.vision.patch_dim(), 1176);
  EXPECT_EQ(c.vision.merger_hidden(), 5120);
  EXPECT_EQ(c.vision.hidden_act, "silu");
  EXPECT_EQ(c.tokens.bos, 151643);
  EXPECT_EQ(c.tokens.eos, 151645);
  EXPECT_EQ(c.tokens.pad, -1);
  EXPECT_EQ(c.tokens.vision_start, 151652);
  EXPECT_EQ(c.tokens.vision_end, 151653);
  EXPECT_EQ(c.tokens.vision_pad, 151654);
  EXPECT_EQ(c.tokens.image_pad, 151655);
  EXPECT_EQ(c.tokens.video_pad, 151656);
  EXPECT_EQ(c.torch_dtype, "bfloat16");
  expect_same(c, q::config_preset("qwen2.5-vl-7b"));
}

TEST(QwenConfig, Released3BFromFolder) {
  REQUIRE_FILE(kData / "qwen2.5-vl-3b-instruct" / "config.json");
  const auto c = q::load_config((kData / "qwen2.5-vl-3b-instruct").string());  // folder path
  EXPECT_EQ(c.text.hidden_size, 2048);
  EXPECT_EQ(c.text.num_layers, 36);
  EXPECT_EQ(c.text.num_heads, 16);
  EXPECT_EQ(c.text.num_kv_heads, 2);
  EXPECT_EQ(c.text.head_dim, 128);
  EXPECT_EQ(c.text.intermediate_size, 11008);
  EXPECT_EQ(c.text.vocab_size, 151936);
  EXPECT_TRUE(c.text.tie_word_embeddings);
  EXPECT_EQ(c.text.rope_type, "mrope");  // spelled "type" in this file
  EXPECT_EQ(c.text.mrope_section, (std::array<int64_t, 3>{16, 24, 24}));
  EXPECT_EQ(c.vision.out_hidden_size, 2048);
  EXPECT_NE(c.source.find("config.json"), std::string::npos);
  expect_same(c, q::config_preset("qwen2.5-vl-3b-instruct"));
}

TEST(QwenConfig, GoldenTinyWrittenByTransformers450) {
  REQUIRE_FILE(kTiny / "config.json");
  const auto c = q::load_config((kTiny / "config.json").string());
  EXPECT_EQ(c.text.hidden_size, 64);
  EXPECT_EQ(c.text.num_layers, 2);
  EXPECT_EQ(c.text.num_heads, 4);
  EXPECT_EQ(c.text.num_kv_heads, 2);
  EXPECT_EQ(c.text.head_dim, 16);
  EXPECT_EQ(c.text.intermediate_size, 112);
  EXPECT_EQ(c.text.vocab_size, 160);
  EXPECT_EQ(c.text.rope_theta, 10000.0);
  EXPECT_EQ(c.text.mrope_section, (std::array<int64_t, 3>{2, 3, 3}));
  EXPECT_EQ(c.text.rope_type, "default");  // 4.50 rewrites mrope -> default
  EXPECT_EQ(c.text.max_position_embeddings, 4096);
  EXPECT_FALSE(c.text.tie_word_embeddings);
  EXPECT_EQ(c.vision.depth, 4);
  EXPECT_EQ(c.vision.hidden_size, 32);
  EXPECT_EQ(c.vision.num_heads, 4);
  EXPECT_EQ(c.vision.intermediate_size, 48);
  EXPECT_EQ(c.vision.window_size, 56);
  EXPECT_EQ(c.vision.window_merged_tokens(), 2);
  EXPECT_EQ(c.vision.fullatt_block_indexes, (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(c.vision.out_hidden_size, 64);
  EXPECT_EQ(c.vision.in_channels, 3);
  EXPECT_EQ(c.tokens.bos, 0);
  EXPECT_EQ(c.tokens.eos, 1);
  EXPECT_EQ(c.tokens.pad, 2);
  EXPECT_EQ(c.tokens.vision_start, 150);
  EXPECT_EQ(c.tokens.vision_end, 151);
  EXPECT_EQ(c.tokens.image_pad, 152);
  EXPECT_EQ(c.tokens.video_pad, 153);
  EXPECT_EQ(c.tokens.vision_pad, -1);  // absent in this file
  EXPECT_EQ(c.torch_dtype, "float32");
}

// transformers >= 4.52 / 5.x nest the LLM fields under "text_config" (rope parameters too).
TEST(QwenConfig, TextConfigOnlyLayout) {
  REQUIRE_FILE(kData / "qwen2.5-vl-7b-instruct" / "config.json");
  const json top = read_json(kData / "qwen2.5-vl-7b-instruct" / "config.json");
  json j = {{"model_type", "qwen2_5_vl"}, {"vision_config", top["vision_config"]}, {"text_config", json::object()}};
  for (const char* k : {"vision_start_token_id", "vision_end_token_id", "vision_token_id", "image_token_id",
                        "video_token_id", "tie_word_embeddings"})
    j[k] = top[k];
  for (const char* k : {"hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads",
                        "intermediate_size", "vocab_size", "rope_theta", "rms_norm_eps", "max_position_embeddings",
                        "hidden_act", "bos_token_id", "eos_token_id", "rope_scaling", "torch_dtype"})
    j["text_config"][k] = top[k];
  const auto nested = q::parse_config(j.dump(), "nested.json");
  expect_same(nested, q::config_preset("qwen2.5-vl-7b"));
  // transformers 5 name "rope_parameters" carrying rope_theta.
  j["text_config"].erase("rope_scaling");
  j["text_config"].erase("rope_theta");
  j["text_config"]["rope_parameters"] = {{"rope_type", "default"}, {"mrope_section", {16, 24, 24}}, {"rope_theta", 1e6}};
  const auto v5 = q::parse_config(j.dump(), "v5.json");
  EXPECT_EQ(v5.text.rope_theta, 1e6);
  EXPECT_EQ(v5.text.mrope_section, (std::array<int64_t, 3>{16, 24, 24}));
  // Top level wins over text_config when both are present.
  j["hidden_size"] = 3584;
  j["text_config"]["hidden_size"] = 1;
  EXPECT_EQ(q::parse_config(j.dump(), "both.json").text.hidden_size, 3584);
}

TEST(QwenConfig, OlderVisionAliasesAlone) {
  REQUIRE_FILE(kTiny / "config.json");
  json j = read_json(kTiny / "config.json");
  j["vision_config"].erase("patch_size");
  j["vision_config"].erase("in_channels");
  j["vision_config"]["spatial_patch_size"] = 14;
  j["vision_config"]["in_chans"] = 3;
  const auto c = q::parse_config(j.dump(), "alias.json");
  EXPECT_EQ(c.vision.patch_size, 14);
  EXPECT_EQ(c.vision.in_channels, 3);
  // transformers 5.25 ignores the legacy spellings (patch_size / in_channels take their defaults); one that
  // disagrees with the field it names is an error rather than dropped.
  j["vision_config"]["spatial_patch_size"] = 16;
  expect_error([&] { q::parse_config(j.dump(), "alias.json"); },
               {"alias.json", "vision_config.spatial_patch_size", "is 16 but patch_size is 14"});
}

TEST(QwenConfig, EosAsList) {
  REQUIRE_FILE(kTiny / "config.json");
  json j = read_json(kTiny / "config.json");
  j["eos_token_id"] = {1, 2};
  EXPECT_EQ(q::parse_config(j.dump(), "eos.json").tokens.eos, 1);
}

TEST(QwenConfig, PresetsAndUnknownName) {
  EXPECT_EQ(q::preset_names().size(), 2u);
  EXPECT_EQ(q::config_preset("qwen2.5-vl-7b-instruct").text.num_layers, 28);
  EXPECT_NO_THROW(q::validate(q::config_preset("qwen2.5-vl-7b")));
  EXPECT_NO_THROW(q::validate(q::config_preset("qwen2.5-vl-3b")));
  expect_error([] { q::config_preset("qwen2.5-vl-72b"); }, {"qwen2.5-vl-72b", "qwen2.5-vl-7b", "qwen2.5-vl-3b"});
}

// to_json writes the Hugging Face layout; reading it back gives the same config.
TEST(QwenConfig, ToJsonRoundTrip) {
  std::vector<q::Qwen25VLConfig> configs = {q::config_preset("qwen2.5-vl-7b"), q::config_preset("qwen2.5-vl-3b")};
  if (fs::exists(kTiny / "config.json")) configs.push_back(q::load_config((kTiny / "config.json").string()));
  const fs::path dir = fs::temp_directory_path() / ("pevlm_qwen_config_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (const auto& c : configs) {
    const json j = json::parse(q::to_json(c));
    EXPECT_EQ(j["hidden_size"], c.text.hidden_size);  // LLM fields at top level
    EXPECT_EQ(j["rope_scaling"]["type"], "mrope");
    EXPECT_EQ(j["vision_config"]["in_channels"], c.vision.in_channels);
    EXPECT_EQ(j["architectures"][0], "Qwen2_5_VLForConditionalGeneration");
    q::save_config(c, (dir / "config.json").string());
    expect_same(q::load_config(dir.string()), c);
  }
  fs::remove_all(dir);
  expect_error([&] { q::save_config(configs[0], "/nonexistent_pevlm_dir/config.json"); }, {"/nonexistent_pevlm_dir/config.json"});
}

}  // namespace
