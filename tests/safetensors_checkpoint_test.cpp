// Checkpoint over a model folder: sharded via model.safetensors.index.json (written here in the
// layout of transformers' save_pretrained), single file, inconsistent indexes, the golden folder.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "models/safetensors/safetensors.h"
#include "tests/error_test_util.h"

namespace st = pevlm::safetensors;
namespace fs = std::filesystem;

namespace {

using pevlm::testing::expect_error;

// Writes a shard holding float tensors name -> {value, value + 1, ...} of `n` elements.
void write_shard(const fs::path& path, const std::vector<std::string>& names, int n = 4) {
  st::SafetensorsWriter w;
  for (std::size_t k = 0; k < names.size(); ++k) {
    std::vector<float> v(n);
    for (int i = 0; i < n; ++i) v[i] = float(100 * k + i);
    w.add(names[k], st::DType::F32, {n}, std::as_bytes(std::span(v)));
  }
  w.write(path.string(), {{"format", "pt"}});
}

void write_index(const fs::path& folder, const nlohmann::json& weight_map) {
  const nlohmann::json index = {{"metadata", {{"total_size", 64}}}, {"weight_map", weight_map}};
  std::ofstream(folder / "model.safetensors.index.json") << index.dump(2);
}

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pevlm_checkpoint_test_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(CheckpointTest, ShardedViaIndex) {
  write_shard(dir_ / "model-00001-of-00002.safetensors", {"model.embed_tokens.weight", "model.norm.weight"});
  write_shard(dir_ / "model-00002-of-00002.safetensors", {"lm_head.weight"});
  write_index(dir_, {{"model.embed_tokens.weight", "model-00001-of-00002.safetensors"},
                     {"model.norm.weight", "model-00001-of-00002.safetensors"},
                     {"lm_head.weight", "model-00002-of-00002.safetensors"}});
  const auto ckpt = st::Checkpoint::open(dir_.string());
  EXPECT_EQ(ckpt.files().size(), 2u);
  EXPECT_EQ(ckpt.names(), (std::vector<std::string>{"lm_head.weight", "model.embed_tokens.weight", "model.norm.weight"}));
  EXPECT_TRUE(ckpt.has("model.norm.weight"));
  EXPECT_FALSE(ckpt.has("model.layers.0.mlp.up_proj.weight"));
  EXPECT_EQ(fs::path(ckpt.file_of("lm_head.weight")).filename(), "model-00002-of-00002.safetensors");
  EXPECT_EQ(ckpt.metadata().at("total_size"), "64");
  // The second tensor written to shard 1 holds 100, 101, 102, 103.
  EXPECT_EQ(st::to_f32_vector(ckpt.get("model.norm.weight")), (std::vector<float>{100, 101, 102, 103}));
  EXPECT_EQ(st::to_f32_vector(ckpt.get("lm_head.weight")), (std::vector<float>{0, 1, 2, 3}));
  expect_error([&] { ckpt.get("model.layers.0.mlp.up_proj.weight"); }, {dir_.string(), "'model.layers.0.mlp.up_proj.weight'"});
  // Opening the index file directly is the same checkpoint.
  EXPECT_EQ(st::Checkpoint::open((dir_ / "model.safetensors.index.json").string()).names(), ckpt.names());
}

// transformers looks for model.safetensors before the index; so do we.
TEST_F(CheckpointTest, SingleFileWinsOverIndex) {
  write_shard(dir_ / "model.safetensors", {"single"});
  write_shard(dir_ / "s1.safetensors", {"sharded"});
  write_index(dir_, {{"sharded", "s1.safetensors"}});
  EXPECT_EQ(st::Checkpoint::open(dir_.string()).names(), std::vector<std::string>{"single"});
}

TEST_F(CheckpointTest, ViewsOutliveTheCheckpointObjectThroughCopies) {
  write_shard(dir_ / "model.safetensors", {"a", "b"}, 3);
  st::Checkpoint copy = [&] {
    const auto original = st::Checkpoint::open(dir_.string());
    return original;  // copy/move; the original goes out of scope
  }();
  EXPECT_EQ(st::to_f32_vector(copy.get("b")), (std::vector<float>{100, 101, 102}));
}

TEST_F(CheckpointTest, MissingShardFile) {
  write_shard(dir_ / "model-00001-of-00002.safetensors", {"a"});
  write_index(dir_, {{"a", "model-00001-of-00002.safetensors"}, {"b", "model-00002-of-00002.safetensors"}});
  expect_error([&] { st::Checkpoint::open(dir_.string()); },
               {"model.safetensors.index.json", "model-00002-of-00002.safetensors", "'b'", "does not exist"});
}

TEST_F(CheckpointTest, TensorInIndexMissingFromShard) {
  write_shard(dir_ / "s1.safetensors", {"a"});
  write_index(dir_, {{"a", "s1.safetensors"}, {"ghost", "s1.safetensors"}});
  expect_error([&] { st::Checkpoint::open(dir_.string()); },
               {"model.safetensors.index.json", "'ghost'", "s1.safetensors", "missing from that file"});
}

TEST_F(CheckpointTest, ShardHoldsTensorTheIndexDoesNotList) {
  write_shard(dir_ / "s1.safetensors", {"a", "extra"});
  write_index(dir_, {{"a", "s1.safetensors"}});
  expect_error([&] { st::Checkpoint::open(dir_.string()); }, {"s1.safetensors", "'extra'", "does not list"});
}

TEST_F(CheckpointTest, BadIndex) {
  std::ofstream(dir_ / "model.safetensors.index.json") << R"({"metadata": {}})";
  expect_error([&] { st::Checkpoint::open(dir_.string()); }, {"model.safetensors.index.json", "weight_map"});
  std::ofstream(dir_ / "model.safetensors.index.json") << R"({"weight_map": {"a": 3}})";
  expect_error([&] { st::Checkpoint::open(dir_.string()); }, {"weight_map['a']"});
  std::ofstream(dir_ / "model.safetensors.index.json") << R"({"weight_map": )";
  expect_error([&] { st::Checkpoint::open(dir_.string()); }, {"model.safetensors.index.json", "not valid JSON"});
}

TEST_F(CheckpointTest, CorruptShardNamesShardFile) {
  std::ofstream(dir_ / "s1.safetensors", std::ios::binary) << "xy";
  write_index(dir_, {{"a", "s1.safetensors"}});
  expect_error([&] { st::Checkpoint::open(dir_.string()); }, {"s1.safetensors", "too small"});
}

TEST_F(CheckpointTest, FolderWithoutIndexOpensAllFilesAndRejectsDuplicates) {
  write_shard(dir_ / "part1.safetensors", {"x"});
  write_shard(dir_ / "part2.safetensors", {"y"});
  EXPECT_EQ(st::Checkpoint::open(dir_.string()).names(), (std::vector<std::string>{"x", "y"}));
  write_shard(dir_ / "part3.safetensors", {"x"});
  expect_error([&] { st::Checkpoint::open(dir_.string()); }, {"'x'", "part1.safetensors", "part3.safetensors"});
}

TEST_F(CheckpointTest, EmptyOrMissingFolder) {
  expect_error([&] { st::Checkpoint::open(dir_.string()); }, {dir_.string(), "no model.safetensors.index.json"});
  expect_error([&] { st::Checkpoint::open((dir_ / "nope").string()); }, {"nope", "no such file"});
}

TEST(CheckpointGolden, TinyFolderUsesModelSafetensors) {
  const fs::path dir = fs::path(PEVLM_SHARED_DIR) / "golden" / "qwen2_5_vl_tiny";
  if (!fs::exists(dir / "model.safetensors")) GTEST_SKIP() << "golden tiny model not present in " << dir;
  // The folder also holds golden.safetensors: model.safetensors must win, as in transformers.
  const auto ckpt = st::Checkpoint::open(dir.string());
  EXPECT_EQ(ckpt.files().size(), 1u);
  EXPECT_EQ(ckpt.names().size(), 81u);
  EXPECT_EQ(ckpt.get("model.layers.1.self_attn.k_proj.weight").shape, (std::vector<int64_t>{32, 64}));
  EXPECT_EQ(ckpt.get("visual.merger.mlp.0.weight").shape, (std::vector<int64_t>{128, 128}));
}

}  // namespace
