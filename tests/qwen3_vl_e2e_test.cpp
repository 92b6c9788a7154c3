// End-to-end CLI run of the Qwen3-VL family (issue 23): `pevlm make-tiny-model --family qwen3_vl` writes a
// checkpoint in the released layout, `pevlm eval` runs every method on the synthetic dataset with no
// error row (blocks = whole temporal patches with their timestamp text; DeepStack adds under every
// plan) and every decoder answers as greedy does, `pevlm generate` answers on a real mp4, `pevlm analyze`
// reports attention mass per span and `pevlm speed` times the checkpoint's decoder.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "harness/eval/results_store.h"
#include "tests/cli_e2e_util.h"

namespace fs = std::filesystem;

namespace pevlm {
namespace {

using testing::read_file;
int run(const std::string& cmd, const fs::path& log) { return testing::run_logged(cmd, log); }

TEST(Qwen3VLE2E, TinyModelEvalEveryMethodGenerateAnalyzeSpeed) {
  const std::string bin = PEVLM_BIN;
  const testing::TinyFixture fixture = testing::tiny_fixture(bin, "pevlm_qwen3_vl_e2e", "--family qwen3_vl --dtype f32");
  ASSERT_EQ(fixture.error, "");
  const fs::path& dir = fixture.dir;
  const std::vector<std::string> methods = {
      "{name: full}",
      "{name: block_attention, block_tokens: 40}",
      "{name: ape, prefix_tokens: 8, block_tokens: 40, positions: retain}",
      "{name: star, anchor_tokens: 40, block_tokens: 40, positions: retain}",
      "{name: pevlm, sink_frames: 1, block_frames: 1}",
      "{name: pevlm, sink_frames: 0, block_frames: 2}"};
  testing::write_eval_config(dir, methods);
  ASSERT_EQ(run(bin + " eval --config " + (dir / "eval.yaml").string() + " --out " + (dir / "out").string(), dir / "eval.log"), 0)
      << read_file(dir / "eval.log");
  const auto rows = read_results_jsonl(dir / "out" / "results.jsonl");
  EXPECT_EQ(rows.size(), 2 * methods.size());
  std::set<std::string> labels;
  for (const auto& r : rows) {
    EXPECT_TRUE(r["error"].is_null()) << r.dump();
    EXPECT_EQ(r["model"]["family"], "qwen3_vl");
    EXPECT_TRUE(r["predicted"].is_string()) << r.dump();
    labels.insert(r["label"].get<std::string>());
  }
  EXPECT_EQ(labels.size(), methods.size());

  // Every decoder through eval (issue 23 item 5): StD and the draft-model decoders (the draft a second tiny
  // Qwen3-VL checkpoint, other random weights; ParallelVLM with UV-Prune) answer as greedy does.
  const fs::path draft = dir / "draft";
  ASSERT_EQ(run(bin + " make-tiny-model " + draft.string() + " --family qwen3_vl --seed 4 --dtype f32", dir / "draft.log"), 0)
      << read_file(dir / "draft.log");
  std::ofstream(dir / "decoders.yaml")
      << "model: " << (dir / "model").string() << "\n"
      << "dataset: {root: " << (dir / "lvb").string() << ", split: val, limit: 1}\n"
      << "protocol: {name: caption, max_num_frames: 4, max_new_tokens: 12}\n"
      << "dtype: fp32\nthreads: 1\nmethods: [{name: pevlm, sink_frames: 1, block_frames: 1}]\n"
      << "decoder: [{name: greedy}, {name: std, k_tokens: 8, gamma: 3}, {name: speculative, draft_model: " << draft.string()
      << ", gamma: 3}, {name: parallelvlm, draft_model: " << draft.string() << ", alpha: 0.5, gamma: 2}]\n";
  ASSERT_EQ(run(bin + " eval --config " + (dir / "decoders.yaml").string() + " --out " + (dir / "decoders").string(),
                dir / "decoders.log"),
            0)
      << read_file(dir / "decoders.log");
  const auto decoded = read_results_jsonl(dir / "decoders" / "results.jsonl");
  ASSERT_EQ(decoded.size(), 4u);
  std::string greedy_response;
  for (const auto& r : decoded)
    if (r["decoder"]["name"] == "greedy") greedy_response = r["response"];
  for (const auto& r : decoded) {
    ASSERT_TRUE(r["error"].is_null()) << r.dump();
    EXPECT_EQ(r["response"], greedy_response) << r["label"];
    if (r["decoder"]["name"] != "greedy") EXPECT_TRUE(r["lossless"].get<bool>()) << r["label"];
  }

  std::string video;
  for (const auto& e : fs::recursive_directory_iterator(dir / "lvb"))
    if (e.path().extension() == ".mp4") video = e.path().string();
  ASSERT_FALSE(video.empty());
  ASSERT_EQ(run(bin + " generate --model " + (dir / "model").string() + " --video " + video +
                    " --question 'What is shown?' --method pevlm --set sink_frames=1 --set block_frames=1 --frames 8 --dtype fp32",
                dir / "generate.log"),
            0)
      << read_file(dir / "generate.log");
  const std::string text = read_file(dir / "generate.log");
  EXPECT_NE(text.find("answer:"), std::string::npos) << text;
  EXPECT_NE(text.find("(qwen3_vl)"), std::string::npos) << text;
  EXPECT_NE(text.find("\"num_blocks\":3"), std::string::npos) << text;  // 8 frames = 4 patches: sink 1 + 3 blocks

  std::ofstream(dir / "analyze.yaml") << "model: " << (dir / "model").string() << "\n"
                                       << "dataset: {root: " << (dir / "lvb").string() << ", split: val, limit: 1}\n"
                                       << "protocol: {name: lmms_val_v, max_num_frames: 4}\n"
                                       << "dtype: fp32\nthreads: 1\n"
                                       << "methods:\n  - {name: pevlm, sink_frames: 1, block_frames: 1}\n";
  ASSERT_EQ(run(bin + " analyze --config " + (dir / "analyze.yaml").string() + " --out " + (dir / "analysis").string(),
                dir / "analyze.log"),
            0)
      << read_file(dir / "analyze.log");

  // Whole-LLM prefill timing with the checkpoint's dimensions (the Qwen3 decoder variant, random weights).
  std::ofstream(dir / "speed.yaml") << "executor: cpu\nmodel: " << (dir / "model").string() << "\nlayers: 1\nllm_dtype: fp32\n"
                                     << "layout: {system_tokens: 20, tokens_per_frame: 32, question_tokens: 20, tokens: [256]}\n"
                                     << "repeats: 1\nwarmup: 0\nmethods:\n  - {name: full}\n"
                                     << "  - {name: pevlm, sink_frames: 1, block_frames: 2}\n";
  ASSERT_EQ(run(bin + " speed --config " + (dir / "speed.yaml").string() + " --out " + (dir / "speed").string(), dir / "speed.log"), 0)
      << read_file(dir / "speed.log");
  EXPECT_TRUE(fs::exists(dir / "speed" / "speed.jsonl")) << read_file(dir / "speed.log");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace pevlm
