// End-to-end CLI tests for the families behind the model interface (issue 12): for LLaVA-Video and
// LongVILA, `pevlm make-tiny-model --family F` writes a checkpoint in the real layout, `pevlm eval`
// runs every method (both position policies where a method has them) on the synthetic dataset with
// no error row, and `pevlm generate` answers on a real mp4 with the family's frame spans, losslessly under
// StD and a draft-model decoder (a same-family draft) too.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "datasets/longvideobench/frame_sampling.h"
#include "harness/eval/results_store.h"
#include "tests/cli_e2e_util.h"
#include "models/longvila/frame_sampling.h"

namespace fs = std::filesystem;

namespace pevlm {
namespace {

using testing::read_file;
int run(const std::string& cmd, const fs::path& log) { return testing::run_logged(cmd, log); }

class FamilyE2E : public ::testing::TestWithParam<std::string> {};

TEST_P(FamilyE2E, TinyModelEvalEveryMethodAndGenerate) {
  const std::string family = GetParam();
  const std::string bin = PEVLM_BIN;
  const testing::TinyFixture fixture = testing::tiny_fixture(bin, "pevlm_family_e2e_" + family, "--family " + family);
  ASSERT_EQ(fixture.error, "");
  const fs::path& dir = fixture.dir;
  const std::vector<std::string> methods = {
      "{name: full}",
      "{name: block_attention, block_tokens: 40}",
      "{name: ape, prefix_tokens: 8, block_tokens: 40, positions: reuse}",
      "{name: ape, prefix_tokens: 8, block_tokens: 40, positions: retain}",
      "{name: star, anchor_tokens: 40, block_tokens: 40, positions: reuse}",
      "{name: star, anchor_tokens: 40, block_tokens: 40, positions: retain}",
      "{name: pevlm, sink_frames: 1, block_frames: 1}",
      "{name: pevlm, sink_frames: 1, block_frames: 2, positions: reuse}"};
  testing::write_eval_config(dir, methods);
  ASSERT_EQ(run(bin + " eval --config " + (dir / "eval.yaml").string() + " --out " + (dir / "out").string(), dir / "eval.log"), 0)
      << read_file(dir / "eval.log");
  const auto rows = read_results_jsonl(dir / "out" / "results.jsonl");
  EXPECT_EQ(rows.size(), 2 * methods.size());
  std::set<std::string> labels;
  for (const auto& r : rows) {
    EXPECT_TRUE(r["error"].is_null()) << r.dump();
    EXPECT_EQ(r["model"]["family"], family);
    // The checkpoint's chat template, as the tiny writer stores it where the family's reference reads it.
    EXPECT_EQ(r["model"]["chat_template"]["name"], "qwen2") << r["model"].dump();
    EXPECT_EQ(r["model"]["chat_template"]["sha256"].get<std::string>().size(), 64u);
    EXPECT_TRUE(r["predicted"].is_string()) << r.dump();
    labels.insert(r["label"].get<std::string>());
  }
  EXPECT_EQ(labels.size(), methods.size());

  std::string video;
  for (const auto& e : fs::recursive_directory_iterator(dir / "lvb"))
    if (e.path().extension() == ".mp4") video = e.path().string();
  ASSERT_FALSE(video.empty());
  ASSERT_EQ(run(bin + " generate --model " + (dir / "model").string() + " --video " + video +
                    " --question 'What is shown?' --method pevlm --set sink_frames=1 --set block_frames=1 --frames 4 --dtype fp32",
                dir / "generate.log"),
            0)
      << read_file(dir / "generate.log");
  const std::string text = read_file(dir / "generate.log");
  EXPECT_NE(text.find("answer:"), std::string::npos) << text;
  EXPECT_NE(text.find("(" + family + ")"), std::string::npos) << text;
  EXPECT_NE(text.find("\"num_blocks\":3"), std::string::npos) << text;  // 4 frames: sink 1 + 3 blocks of 1
  EXPECT_NE(text.find("chat template: qwen2 ("), std::string::npos) << text;
  // The family's own reference sampler: llava_vid truncates np.linspace, VILA rounds it half to even.
  const size_t at = text.find("frame indices: ");
  ASSERT_NE(at, std::string::npos) << text;
  std::istringstream line(text.substr(at + 15));
  std::string indices_json, of;
  int64_t frame_count = 0;
  line >> indices_json >> of >> frame_count;
  const auto expected = family == "llava_video" ? lvb::numpy_linspace_int(frame_count - 1, 4) : lvb::numpy_linspace_round(frame_count - 1, 4);
  EXPECT_EQ(nlohmann::json::parse(indices_json).get<std::vector<int64_t>>(), expected) << text;
  if (family == "longvila") {
    // VILA samples from the start at the config's fps when it is > 0 (models/longvila/frame_sampling.h).
    std::string at_word, fps_text;
    line >> of >> at_word >> fps_text;
    const double video_fps = std::stod(fps_text);
    nlohmann::json cfg = nlohmann::json::parse(read_file(dir / "model" / "config.json"));
    cfg["fps"] = 2.0;
    std::ofstream(dir / "model" / "config.json") << cfg.dump(2);
    ASSERT_EQ(run(bin + " generate --model " + (dir / "model").string() + " --video " + video +
                      " --question 'What is shown?' --frames 4 --dtype fp32 --max-new-tokens 1",
                  dir / "fps.log"),
              0)
        << read_file(dir / "fps.log");
    const std::string fps_out = read_file(dir / "fps.log");
    const size_t f_at = fps_out.find("frame indices: ");
    ASSERT_NE(f_at, std::string::npos) << fps_out;
    std::istringstream fps_line(fps_out.substr(f_at + 15));
    fps_line >> indices_json;
    EXPECT_EQ(nlohmann::json::parse(indices_json).get<std::vector<int64_t>>(),
              longvila::vila_frame_indices(frame_count, video_fps, 2.0, 4))
        << fps_out;
    cfg.erase("fps");  // VILA's LlavaConfig leaves it None, which its loader cannot compare: an error naming the key
    std::ofstream(dir / "model" / "config.json") << cfg.dump(2);
    ASSERT_EQ(run(bin + " generate --model " + (dir / "model").string() + " --video " + video + " --question 'x' --frames 4",
                  dir / "nofps.log"),
              1);
    EXPECT_NE(read_file(dir / "nofps.log").find("'fps'"), std::string::npos) << read_file(dir / "nofps.log");
    cfg["fps"] = 0.0;
    std::ofstream(dir / "model" / "config.json") << cfg.dump(2);
  }
  // A fixed-input family has no pixel budget to override.
  ASSERT_EQ(run(bin + " generate --model " + (dir / "model").string() + " --video " + video +
                    " --question 'What is shown?' --frames 4 --dtype fp32 --max-pixels 50000",
                dir / "pixels.log"),
            1);
  EXPECT_NE(read_file(dir / "pixels.log").find("has no pixel budget"), std::string::npos) << read_file(dir / "pixels.log");

  // Every decoder runs on the family (issue 23): StD, and a draft-model decoder whose draft is a checkpoint
  // of the same family (here the model itself) give the greedy tokens.
  for (const std::string& d : {std::string(" --decoder std"),
                               " --decoder speculative --decoder-set draft_model=" + (dir / "model").string()}) {
    ASSERT_EQ(run(bin + " generate --model " + (dir / "model").string() + " --video " + video +
                      " --question 'What is shown?' --frames 4 --dtype fp32 --max-new-tokens 6" + d,
                  dir / "decoder.log"),
              0)
        << read_file(dir / "decoder.log");
    const std::string out = read_file(dir / "decoder.log");
    EXPECT_NE(out.find("\"lossless\":true"), std::string::npos) << d << "\n" << out;
  }
}

INSTANTIATE_TEST_SUITE_P(Families, FamilyE2E, ::testing::Values("llava_video", "longvila"));

}  // namespace
}  // namespace pevlm
