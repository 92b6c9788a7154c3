// make_tiny_model: the tiny random Qwen2.5-VL checkpoint loads through the real loaders (config,
// LLM and vision weight tables, tokenizer), is deterministic per seed, small, and runs.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>

#include "attention/executor.h"
#include "methods/attention_plan.h"
#include "models/llm/decoder.h"
#include "models/qwen2_5_vl/tiny_model.h"
#include "models/qwen2_5_vl/weights_vision.h"
#include "models/safetensors/safetensors.h"
#include "models/tokenizer/tokenizer.h"
#include "models/qwen2_5_vl/llm_load.h"

namespace fs = std::filesystem;
namespace q = pevlm::qwen2_5_vl;
namespace llm = pevlm::llm;

namespace {

std::string temp_dir(const std::string& tag) {
  return (fs::temp_directory_path() / ("pevlm_tiny_" + tag + "_" + std::to_string(::getpid()))).string();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(QwenTinyModel, WritesALoadableSmallCheckpoint) {
  const std::string dir = temp_dir("a");
  q::TinyModelInfo info = q::make_tiny_model(dir, {.seed = 7});
  uintmax_t bytes = 0;
  for (const char* f : {"config.json", "model.safetensors", "tokenizer.json", "preprocessor_config.json",
                        "generation_config.json"}) {
    ASSERT_TRUE(fs::exists(fs::path(dir) / f)) << f;
    bytes += fs::file_size(fs::path(dir) / f);
  }
  EXPECT_LT(bytes, 20u << 20);

  q::Qwen25VLConfig c = q::load_config(dir);
  EXPECT_LT(c.text.num_kv_heads, c.text.num_heads);  // GQA
  for (int64_t s : c.text.mrope_section) EXPECT_GT(s, 0);  // all three M-RoPE sections
  EXPECT_EQ(c.vision.spatial_merge_size, 2);
  EXPECT_FALSE(c.vision.fullatt_block_indexes.empty());
  EXPECT_LT(int64_t(c.vision.fullatt_block_indexes.size()), c.vision.depth);  // window blocks too
  EXPECT_EQ(c.text.vocab_size, info.config.text.vocab_size);
  EXPECT_LT(c.tokens.video_pad, c.text.vocab_size);

  pevlm::safetensors::Checkpoint ckpt = pevlm::safetensors::Checkpoint::open(dir);
  EXPECT_EQ(ckpt.get("lm_head.weight").dtype, pevlm::safetensors::DType::BF16);
  EXPECT_NO_THROW(q::load_vision_weights(ckpt, c.vision, at::kFloat));

  llm::Decoder llm = q::load_llm(dir, {at::kBFloat16});
  auto ex = pevlm::attention::make_executor("cpu");
  std::vector<int64_t> ids{c.tokens.vision_start, c.tokens.video_pad, c.tokens.video_pad, c.tokens.vision_end, 40, 41};
  at::Tensor x = llm.embed_with_vision(ids, at::randn({2, c.text.hidden_size}), c.tokens.video_pad);
  pevlm::TokenLayout layout;
  layout.spans = {{pevlm::SpanKind::Text, 0, 6}};
  layout.length = 6;
  layout.positions = pevlm::PositionIds(1, 6);
  for (int64_t i = 0; i < 6; ++i) layout.positions.at(0, i) = i;
  llm::Session s = llm.prefill(x, pevlm::make_full_plan(layout), *ex);
  llm::GenerationResult r = llm.generate(s, {.max_new_tokens = 3, .stop_ids = {}});
  EXPECT_EQ(r.tokens.size(), 3u);
  EXPECT_TRUE(at::isfinite(s.logits_LV).all().item<bool>());
  fs::remove_all(dir);
}

TEST(QwenTinyModel, DeterministicPerSeed) {
  const std::string a = temp_dir("s1"), b = temp_dir("s2"), c = temp_dir("s3");
  q::make_tiny_model(a, {.seed = 1});
  q::make_tiny_model(b, {.seed = 1});
  q::make_tiny_model(c, {.seed = 2, .bf16 = false});
  EXPECT_EQ(slurp(a + "/model.safetensors"), slurp(b + "/model.safetensors"));
  EXPECT_EQ(slurp(a + "/config.json"), slurp(b + "/config.json"));
  EXPECT_NE(slurp(a + "/model.safetensors"), slurp(c + "/model.safetensors"));
  EXPECT_EQ(pevlm::safetensors::Checkpoint::open(c).get("lm_head.weight").dtype, pevlm::safetensors::DType::F32);
  for (const auto& d : {a, b, c}) fs::remove_all(d);
}

TEST(QwenTinyModel, ShardedCheckpointWithIndexLoads) {
  // --shard-mb: model-0000i-of-0000n.safetensors + model.safetensors.index.json, as released checkpoints.
  const std::string dir = temp_dir("sharded");
  q::TinyModelOptions o;
  o.shard_bytes = 512 << 10;
  q::make_tiny_model(dir, o);
  EXPECT_TRUE(fs::exists(fs::path(dir) / "model.safetensors.index.json"));
  EXPECT_FALSE(fs::exists(fs::path(dir) / "model.safetensors"));
  int shards = 0;
  for (const auto& e : fs::directory_iterator(dir)) shards += e.path().filename().string().rfind("model-", 0) == 0;
  EXPECT_GE(shards, 3);
  llm::DecoderOptions lo;
  lo.dtype = at::kFloat;
  const llm::Decoder sharded = q::load_llm(dir, lo);
  const std::string single = temp_dir("single");
  q::make_tiny_model(single, {});
  const llm::Decoder whole = q::load_llm(single, lo);
  EXPECT_TRUE(at::equal(sharded.weights().layers[1].down_w, whole.weights().layers[1].down_w));
  fs::remove_all(dir);
  fs::remove_all(single);
}

// A preset checkpoint keeps the real vocabulary (the lm_head's cost) and its tokenizer decodes every id
// of it (issue 21: a random 7B's greedy tokens were unknown ids to the 578-id tiny tokenizer, and the
// eval rows failed while decoding). The weights (16.6 GB) are not needed to check that.
TEST(QwenTinyModel, PresetTokenizerDecodesEveryIdOfTheRealVocabulary) {
  const std::string dir = temp_dir("preset");
  q::TinyModelOptions o;
  o.preset = "qwen2.5-vl-7b";
  const q::TinyModelInfo info = q::write_tiny_model_metadata(dir, o);
  EXPECT_EQ(info.parameters, 0);
  EXPECT_FALSE(fs::exists(fs::path(dir) / "model.safetensors"));
  const q::Qwen25VLConfig config = q::load_config(dir + "/config.json");
  EXPECT_EQ(config.text.vocab_size, 152064);
  EXPECT_EQ(config.text.hidden_size, 3584);
  const auto tok = pevlm::tokenizer::Tokenizer::load(dir);
  EXPECT_EQ(tok.vocab_size(), 152064);
  for (const int32_t id : {0, 600, int32_t(config.tokens.video_pad) + 1, 100000, 152063}) {
    const std::vector<int32_t> one = {id};
    EXPECT_NO_THROW(tok.decode(one)) << id;
  }
  EXPECT_EQ(tok.token_id("<|video_pad|>"), config.tokens.video_pad);
  fs::remove_all(dir);
}

}  // namespace
