// pevlm speed with `model:`: whole-LLM prefill rows on the tiny model's configuration (2 layers,
// hidden 128, 4 q heads / 2 KV heads, head_dim 32), K-of-N scaling and configuration errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "harness/commands.h"
#include "harness/speed/llm_speed.h"
#include "harness/speed/speed_config.h"
#include "tests/qwen_tiny_test_config.h"
#include "harness/speed/speed_runner.h"
#include "models/qwen2_5_vl/config.h"
#include "models/qwen2_5_vl/tiny_model.h"

namespace pevlm {
namespace {

// The tiny model's config.json (tiny_config: 2 layers, 4/2 heads of 32) in a temp folder.
std::string tiny_config_path() { return testing::tiny_config_json("pevlm_speed_test"); }

nlohmann::json tiny_doc(const std::string& model, int64_t layers) {
  return {{"executor", "cpu"},
          {"dtype", "fp32"},
          {"model", model},
          {"layers", layers},
          {"llm_dtype", "fp32"},
          {"layout", {{"system_tokens", 8}, {"tokens_per_frame", 16}, {"question_tokens", 8}, {"frames", 8}}},
          {"repeats", 1},
          {"warmup", 0},
          {"methods", nlohmann::json::array({{{"name", "full"}},
                                             {{"name", "pevlm"}, {"sink_frames", 2}, {"block_frames", 2}},
                                             {{"name", "star"}, {"anchor_tokens", 32}, {"block_tokens", 32},
                                              {"recompute_anchor", true}}})}};
}

std::string error_of(const nlohmann::json& doc) {
  try {
    parse_speed_config(doc, "t.yaml");
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(SpeedConfig, ModelGivesTheShape) {
  const SpeedConfig c = parse_speed_config(tiny_doc(tiny_config_path(), 1), "t.yaml");
  EXPECT_EQ(c.heads, 4);
  EXPECT_EQ(c.kv_heads, 2);
  EXPECT_EQ(c.head_dim, 32);
  EXPECT_EQ(c.hidden, 128);
  EXPECT_EQ(c.layers_total, 2);
  const SpeedConfig p = parse_speed_config(tiny_doc("qwen2.5-vl-7b", 1), "t.yaml");
  EXPECT_EQ(p.heads, 28);
  EXPECT_EQ(p.kv_heads, 4);
  EXPECT_EQ(p.head_dim, 128);
  EXPECT_EQ(p.hidden, 3584);
  EXPECT_EQ(p.intermediate, 18944);
  EXPECT_EQ(p.layers_total, 28);
}

TEST(SpeedConfig, ErrorsNameTheKey) {
  nlohmann::json doc = tiny_doc(tiny_config_path(), 1);
  doc["layerz"] = 1;
  EXPECT_NE(error_of(doc).find("layerz"), std::string::npos) << error_of(doc);

  doc = tiny_doc(tiny_config_path(), 1);
  doc["shape"] = {{"heads", 28}, {"kv_heads", 2}, {"head_dim", 32}};
  EXPECT_NE(error_of(doc).find("t.yaml.shape.heads"), std::string::npos) << error_of(doc);
  doc["shape"] = {{"heads", 4}, {"kv_heads", 2}, {"head_dim", 32}};  // agreeing shape is fine
  EXPECT_EQ(error_of(doc), "");

  doc = tiny_doc(tiny_config_path(), 3);  // the tiny model has 2 layers
  EXPECT_NE(error_of(doc).find("t.yaml.layers"), std::string::npos) << error_of(doc);
  doc = tiny_doc("no-such-model", 1);
  EXPECT_NE(error_of(doc).find("t.yaml.model"), std::string::npos) << error_of(doc);
  doc = tiny_doc(tiny_config_path(), 1);
  doc["llm_dtype"] = "fp16";
  EXPECT_NE(error_of(doc).find("t.yaml.llm_dtype"), std::string::npos) << error_of(doc);
  doc.erase("model");
  doc["llm_dtype"] = "fp32";
  EXPECT_NE(error_of(doc).find("t.yaml.layers"), std::string::npos) << error_of(doc);  // layers without model
}

TEST(SpeedRunner, LlmRowsScaleKOfN) {
  const std::string path = tiny_config_path();
  for (int64_t K : {1, 0}) {
    const SpeedConfig c = parse_speed_config(tiny_doc(path, K), "t.yaml");
    const auto rows = run_speed(c);
    ASSERT_EQ(rows.size(), 3u);
    const int64_t timed = K == 0 ? 2 : K;
    for (const auto& r : rows) {
      SCOPED_TRACE(r["label"].get<std::string>());
      EXPECT_EQ(r["tokens"], 8 + 8 * 16 + 8);
      EXPECT_EQ(r["layers_timed"], timed);
      EXPECT_EQ(r["layers_total"], 2);
      EXPECT_NE(r["scaling"].get<std::string>().find("measured " + std::to_string(timed) + " of 2 layers"), std::string::npos);
      const double attn = r["attn_ms"], other = r["other_ms"], llm = r["llm_ms"];
      EXPECT_GT(attn, 0);
      EXPECT_GT(other, 0);
      EXPECT_DOUBLE_EQ(llm, attn + other);
      // attn_ms is the whole LLM's attention: N/K times the measured (single repeat) attention.
      const double measured_attn = r["llm_attn_ms_all"][0];
      EXPECT_NEAR(attn, measured_attn * 2.0 / double(timed), 1e-9 * attn);
      EXPECT_NEAR(r["layer_attn_ms"].get<double>(), measured_attn / double(timed), 1e-9 * attn);
      const double measured_other = r["llm_other_ms_all"][0];
      const double scaled_other = measured_other * 2.0 / double(timed);
      const int64_t redundant = r["redundant_tokens"];
      EXPECT_NEAR(other, scaled_other * (1.0 + double(redundant) / double(r["tokens"].get<int64_t>())), 1e-9 * other);
      EXPECT_TRUE(r.contains("llm_speedup_vs_full"));
    }
    EXPECT_DOUBLE_EQ(rows[0]["llm_speedup_vs_full"].get<double>(), 1.0);
    EXPECT_EQ(rows[0]["redundant_tokens"], 0);
    EXPECT_GT(rows[2]["redundant_tokens"].get<int64_t>(), 0);  // star with recompute_anchor
    EXPECT_TRUE(rows[2].contains("anchor_recompute_ms"));
  }
}

TEST(SpeedRunner, AttentionOnlyRowsHaveNoLlmFields) {
  nlohmann::json doc = tiny_doc(tiny_config_path(), 1);
  for (const char* key : {"model", "layers", "llm_dtype"}) doc.erase(key);
  doc["shape"] = {{"heads", 4}, {"kv_heads", 2}, {"head_dim", 32}};
  const auto rows = run_speed(parse_speed_config(doc, "t.yaml"));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_FALSE(rows[0].contains("llm_ms"));
  EXPECT_DOUBLE_EQ(rows[0]["attn_ms"].get<double>(), rows[0]["layer_attn_ms"].get<double>());
  for (const auto& r : rows)  // the share of the FLOP limit a method's speedup reaches
    EXPECT_DOUBLE_EQ(r["speedup_over_flop_ratio"].get<double>(),
                     r["speedup_vs_full"].get<double>() / r["flop_ratio_vs_full"].get<double>());
}

// The shipped configurations parse: the demo stays attention-only, the LLM ones take the 7B shape.
// Fuzz reproducers (fuzz/regressions/fuzz_config_yaml): yaml-cpp passes invalid UTF-8 through, and the
// JSON config then threw from dump() (resolved config, result rows) with a message naming no file.
// The loader now rejects it, naming the file and the line.
TEST(SpeedConfig, FuzzRegressionHugeFloatIsAnErrorNotUndefinedBehaviour) {
  const std::string file =
      (std::filesystem::path(PEVLM_SOURCE_DIR) / "fuzz/regressions/fuzz_config_yaml/huge_float_block_tokens.yaml").string();
  try {
    load_speed_config(file);
    ADD_FAILURE() << "no exception for " << file;
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'block_tokens': expected an integer"), std::string::npos) << e.what();
  }
}

TEST(SpeedConfig, FuzzRegressionNonUtf8YamlNamesFileAndLine) {
  const std::filesystem::path dir = std::filesystem::path(PEVLM_SOURCE_DIR) / "fuzz/regressions/fuzz_config_yaml";
  for (const auto& [name, line] : std::vector<std::pair<std::string, std::string>>{
           {"latin1_value.yaml", "line 1"}, {"truncated_utf8_key.yaml", "line 1"},
           {"crash-5fa07dbbc14f632b797b176e8ecee2420466cebf", "line 8"}}) {
    const std::string file = (dir / name).string();
    try {
      load_speed_config(file);
      ADD_FAILURE() << "no exception for " << file;
    } catch (const std::invalid_argument& e) {
      const std::string msg = e.what();
      for (const std::string& part : {file, line, std::string("not valid UTF-8")})
        EXPECT_NE(msg.find(part), std::string::npos) << msg << " lacks " << part;
    }
  }
}

TEST(SpeedConfig, ShippedConfigsParse) {
  const std::string root = PEVLM_SOURCE_DIR "/configs/";
  EXPECT_FALSE(load_speed_config(root + "speed-demo.yaml").time_llm());
  const SpeedConfig cpu = load_speed_config(root + "speed-llm-cpu.yaml");
  EXPECT_TRUE(cpu.time_llm());
  EXPECT_EQ(cpu.layers, 1);
  EXPECT_EQ(cpu.llm_dtype, "fp32");
  EXPECT_EQ(cpu.layers_total, 28);
  const SpeedConfig fig4 = load_speed_config(root + "paper/fig4_speed.yaml");
  EXPECT_EQ(fig4.layers, 0);
  EXPECT_EQ(fig4.llm_dtype, "bf16");
  EXPECT_EQ(fig4.heads, 28);
}

}  // namespace
}  // namespace pevlm

namespace pevlm {
namespace {

// The timing's device (issue 21): `device:` or the executor's, indexed ("cuda" = cuda:0), and the
// executor checked against it before anything is timed.
TEST(SpeedConfig, DeviceIsIndexedAndMatchesTheExecutor) {
  nlohmann::json doc = tiny_doc(tiny_config_path(), 1);
  EXPECT_EQ(parse_speed_config(doc, "t.yaml").device, "cpu");
  doc["executor"] = "cuda";  // parsing needs no GPU: the executor's device, with its index
  EXPECT_EQ(parse_speed_config(doc, "t.yaml").device, "cuda:0");
  doc["device"] = "cuda";
  EXPECT_EQ(parse_speed_config(doc, "t.yaml").device, "cuda:0");
  doc["device"] = "cuda:1";
  EXPECT_EQ(parse_speed_config(doc, "t.yaml").resolved["device"], "cuda:1");
  doc["device"] = "gpu0";
  EXPECT_NE(error_of(doc).find("t.yaml.device: expected cpu, cuda or cuda:N"), std::string::npos) << error_of(doc);
  doc["executor"] = "cpu";
  doc["device"] = "cuda:1";
  try {
    run_speed(parse_speed_config(doc, "t.yaml"));
    ADD_FAILURE() << "no exception for executor cpu on cuda:1";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("executor 'cpu' runs on cpu only, not on device cuda:1"), std::string::npos) << e.what();
  }
}

// The LLM timer tells its model the device its weights were drawn on (a GPU run once failed with
// "weight embed_tokens is on cuda:0, the model on cpu"): PyTorch's meta device stands in for the GPU.
TEST(SpeedRunner, LlmTimerBuildsItsModelOnTheTimingDevice) {
  const LlmPrefillTimer timer(tiny_config_path(), 1, "bf16", c10::Device(c10::kMeta), "t.yaml");
  EXPECT_EQ(timer.device(), c10::Device(c10::kMeta));
  EXPECT_EQ(timer.layers_timed(), 1);
}

// Rows reach speed.jsonl as they finish (issue 21): a run that fails at its second length keeps the
// first length's rows. The failure is a real configuration one: a 300-token sink fits inside the
// 1-frame layout's context (276 tokens) but cuts a frame of the 2-frame layout, where frame blocks
// cannot start. Every plan of a length is built before its interleaved timings (speed_runner.cpp), so
// the 2-frame length fails before it times anything.
TEST(SpeedCommand, RowsAreOnDiskBeforeALaterRowFails) {
  const auto dir = std::filesystem::temp_directory_path() / ("pevlm_speed_stream_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const nlohmann::json doc = {
      {"executor", "cpu"},
      {"dtype", "fp32"},
      {"shape", {{"heads", 4}, {"kv_heads", 2}, {"head_dim", 32}}},
      {"layout", {{"system_tokens", 20}, {"tokens_per_frame", 256}, {"question_tokens", 8}, {"frames", {1, 2}}}},
      {"repeats", 1},
      {"warmup", 0},
      {"methods", nlohmann::json::array({{{"name", "pevlm"}, {"sink_tokens", 300}, {"block_frames", 1}}})}};
  std::ofstream(dir / "speed.yaml") << doc.dump();  // JSON is YAML
  EXPECT_THROW(run_speed_command({"--config", (dir / "speed.yaml").string(), "--out", (dir / "out").string()}),
               std::invalid_argument);
  std::ifstream in(dir / "out" / "speed.jsonl");
  std::vector<nlohmann::json> rows;
  for (std::string line; std::getline(in, line);) rows.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(rows.size(), 2u);  // 1 frame: full, pevlm; 2 frames: pevlm's plan throws
  EXPECT_EQ(rows[0]["method"], "full");
  EXPECT_EQ(rows[1]["method"], "pevlm");
  EXPECT_EQ(rows[1]["frames"], 1);
  EXPECT_EQ(rows[1]["timing_order"], "interleaved: each repeat times every method once, in config order");
  EXPECT_GT(rows[1]["speedup_vs_full_paired"].get<double>(), 0.0);
  EXPECT_FALSE(std::filesystem::exists(dir / "out" / "speed.json"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pevlm
