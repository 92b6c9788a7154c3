// The data-writing subcommands' CLI (issue 23 item 3: argv parsing only in harness/): make-tiny-model,
// make-synthetic-lvb and make-synthetic-dataset parse through harness/cli_args.h and hand typed requests to
// the writers. Exit status 2 for bad arguments (nothing written), 0 on success, 1 when writing fails.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "datasets/synthetic/synthetic_plan.h"
#include "harness/commands.h"
#include "models/video_lm/registry.h"
#include "tests/video_test_util.h"

namespace pevlm {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json load(const fs::path& p) {
  std::ifstream in(p);
  return json::parse(in);
}

TEST(MakeTinyModelCommand, BadArgumentsExitTwoAndWriteNothing) {
  video::testing::TempDir dir("pevlm_make_tiny_cmd");
  const std::string x = dir.file("x");
  EXPECT_EQ(run_make_tiny_model_command({}), 2);                                  // missing DIR
  EXPECT_EQ(run_make_tiny_model_command({x, dir.file("y")}), 2);                  // two DIRs
  EXPECT_EQ(run_make_tiny_model_command({x, "--seed", "abc"}), 2);
  EXPECT_EQ(run_make_tiny_model_command({x, "--seed", "-3"}), 2);
  EXPECT_EQ(run_make_tiny_model_command({x, "--seed"}), 2);                        // no value
  EXPECT_EQ(run_make_tiny_model_command({x, "--dtype", "f16"}), 2);
  EXPECT_EQ(run_make_tiny_model_command({x, "--family", "qwen9"}), 2);
  EXPECT_EQ(run_make_tiny_model_command({x, "--frobnicate", "1"}), 2);
  EXPECT_EQ(run_make_tiny_model_command({x, "--size", "huge"}), 2);
  EXPECT_EQ(run_make_tiny_model_command({x, "--preset", "qwen2.5-vl-700b"}), 2);
  EXPECT_EQ(run_make_tiny_model_command({x, "--layout", "onevision"}), 2);         // llava_video's layout only
  EXPECT_EQ(run_make_tiny_model_command({x, "--family", "longvila", "--size", "small"}), 2);  // a qwen2_5_vl option
  EXPECT_EQ(run_make_tiny_model_command({x, "--family", "llava_video", "--shard-mb", "1"}), 2);
  EXPECT_FALSE(fs::exists(x));
}

TEST(MakeTinyModelCommand, WritesEachFamilyWithItsOptions) {
  video::testing::TempDir dir("pevlm_make_tiny_ok");
  ASSERT_EQ(run_make_tiny_model_command({dir.file("q"), "--seed", "3", "--dtype", "f32", "--size", "small"}), 0);
  EXPECT_TRUE(fs::exists(dir.path / "q" / "config.json"));
  ASSERT_EQ(run_make_tiny_model_command({dir.file("v"), "--family", "llava_video", "--layout", "onevision"}), 0);
  EXPECT_TRUE(fs::exists(dir.path / "v" / "config.json"));
  // The typed request the CLI fills: the same files as the command.
  const TinyModelWritten w = write_tiny_model(dir.file("q2"), {.seed = 3, .bf16 = false, .size = "small"});
  EXPECT_FALSE(w.files.empty());
  EXPECT_EQ(video::testing::read_bytes(dir.file("q") + "/model.safetensors"),
            video::testing::read_bytes(dir.file("q2") + "/model.safetensors"));
  EXPECT_NE(w.summary.find("seed 3"), std::string::npos);
}

TEST(MakeSyntheticLvbCommand, ParsesArgumentsAndReportsErrors) {
  video::testing::TempDir dir("pevlm_synthetic_cmd");
  EXPECT_EQ(run_make_synthetic_lvb_command({}), 2);
  EXPECT_EQ(run_make_synthetic_lvb_command({dir.file("x"), "--videos"}), 2);
  EXPECT_EQ(run_make_synthetic_lvb_command({dir.file("x"), "--videos", "two"}), 2);
  EXPECT_EQ(run_make_synthetic_lvb_command({dir.file("x"), "--videos", "0"}), 2);
  EXPECT_EQ(run_make_synthetic_lvb_command({dir.file("x"), "--seed", "-3"}), 2);
  EXPECT_EQ(run_make_synthetic_lvb_command({dir.file("x"), "--frobnicate"}), 2);
  EXPECT_EQ(run_make_synthetic_lvb_command({dir.file("x"), dir.file("y")}), 2);
  EXPECT_FALSE(fs::exists(dir.file("x")));
  ASSERT_EQ(run_make_synthetic_lvb_command({dir.file("x"), "--videos", "1", "--seed", "5"}), 0);
  const json entries = load(dir.path / "x" / "lvb_val.json");
  EXPECT_EQ(entries[0]["video_id"], synthetic::plan_synthetic_video(5, 0).video_id);
  // A path that cannot be a folder: generation fails with exit status 1.
  video::testing::write_bytes(dir.file("file"), {'x'});
  EXPECT_EQ(run_make_synthetic_lvb_command({dir.file("file") + "/sub"}), 1);
}

TEST(MakeSyntheticDatasetCommand, ParsesArgumentsAndReportsErrors) {
  video::testing::TempDir dir("pevlm_synthetic_ds_cmd");
  EXPECT_EQ(run_make_synthetic_dataset_command({dir.file("x")}), 2);                          // missing --format
  EXPECT_EQ(run_make_synthetic_dataset_command({"--format", "egoschema", dir.file("x")}), 2);  // unknown format
  EXPECT_EQ(run_make_synthetic_dataset_command({"--format", "mlvu", dir.file("x"), "--videos", "x"}), 2);
  EXPECT_FALSE(fs::exists(dir.file("x")));
  ASSERT_EQ(run_make_synthetic_dataset_command({"--format", "lvbench", dir.file("x"), "--videos", "1", "--seed", "2"}), 0);
  EXPECT_TRUE(fs::exists(dir.path / "x" / "synthetic_info.json"));
}

}  // namespace
}  // namespace pevlm
