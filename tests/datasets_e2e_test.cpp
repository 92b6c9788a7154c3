// `pevlm eval` + `pevlm report` end to end on each synthetic benchmark (make-synthetic-dataset formats)
// with the paper's methods on a tiny model: every question gets a row per method, rows carry the
// benchmark, its categories, the protocol in full (a card's name and version when one is named), the
// frames' indices and timestamps, the extractor and unparsed counts; the report prints the benchmark's
// own metrics (Video-MME per duration, MLVU M-Avg, LVBench per category). A missing video is an error
// row and the run goes on; a card written for another family is refused.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/eval/results_store.h"

namespace fs = std::filesystem;

namespace pevlm {
namespace {

int run(const std::string& cmd) {
  const int rc = std::system((cmd + " >>" + (fs::temp_directory_path() / "pevlm_datasets_e2e.log").string() + " 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const char* kMethods =
    "methods:\n"
    "  - {name: full}\n"
    "  - {name: block_attention, block_tokens: 32}\n"
    "  - {name: ape, prefix_tokens: 24, block_tokens: 32}\n"
    "  - {name: star, anchor_tokens: 32, block_tokens: 32}\n"
    "  - {name: pevlm, sink_frames: 1, block_frames: 1}\n";

struct EvalRun {
  fs::path dir;
  std::vector<nlohmann::json> rows;
  std::string report;
};

// A tiny model, a synthetic `format` set of `videos` videos, and an eval with `protocol` (YAML).
EvalRun eval_and_report(const std::string& format, const std::string& benchmark, int videos, const std::string& protocol,
                    const std::function<void(const fs::path&)>& damage = {}) {
  EvalRun r;
  r.dir = fs::temp_directory_path() / ("pevlm_ds_e2e_" + format + "_" + std::to_string(::getpid()));
  fs::remove_all(r.dir);
  fs::create_directories(r.dir);
  EXPECT_EQ(run(std::string(PEVLM_BIN) + " make-tiny-model " + (r.dir / "model").string() + " --seed 3"), 0);
  EXPECT_EQ(run(std::string(PEVLM_BIN) + " make-synthetic-dataset --format " + format + " " + (r.dir / "data").string() +
                " --videos " + std::to_string(videos) + " --seed 5"),
            0);
  if (damage) damage(r.dir / "data");
  std::ofstream(r.dir / "eval.yaml") << "model: " << (r.dir / "model").string() << "\n"
                                     << "dataset: {benchmark: " << benchmark << ", root: " << (r.dir / "data").string() << "}\n"
                                     << "protocol: " << protocol << "\n"
                                     << "dtype: fp32\nthreads: 1\n"
                                     << kMethods;
  EXPECT_EQ(run("cd " + std::string(PEVLM_SOURCE_DIR) + " && " + PEVLM_BIN + " eval --config " + (r.dir / "eval.yaml").string() +
                " --out " + (r.dir / "out").string()),
            0);
  r.rows = read_results_jsonl(r.dir / "out" / "results.jsonl");
  EXPECT_EQ(run(std::string(PEVLM_BIN) + " report " + (r.dir / "out").string()), 0);
  r.report = read(r.dir / "out" / "report.md");
  return r;
}


std::string small(const std::string& name, const std::string& extra = "") {
  return "{name: " + name + ", max_num_frames: 4, min_pixels: 3136, max_pixels: 6272" + extra + "}";
}

TEST(DatasetsE2E, VideoMmeWithFrameAlignedSubtitlesAndAMissingVideo) {
  const EvalRun r = eval_and_report("videomme", "videomme", 3, small("official_sub"), [](const fs::path& data) {
    for (const auto& e : fs::directory_iterator(data / "data")) {
      fs::remove(e.path());  // one video gone: its 3 questions become error rows, the run goes on
      break;
    }
  });
  ASSERT_EQ(r.rows.size(), 9u * 5u);
  int errors = 0, with_subs = 0;
  for (const auto& row : r.rows) {
    EXPECT_EQ(row["benchmark"], "videomme");
    EXPECT_EQ(row["protocol"]["name"], "official_sub");
    EXPECT_EQ(row["protocol"]["subtitles"], "sampled_frames");
    EXPECT_TRUE(row["categories"].contains("task_type"));
    if (!row["error"].is_null()) {
      ++errors;
      EXPECT_NE(row["error"].get<std::string>().find("video file not found"), std::string::npos);
      continue;
    }
    EXPECT_EQ(row["answer_extractor"], "videomme_regex");
    EXPECT_EQ(row["unparsed_policy"], "score_wrong");
    EXPECT_EQ(row["frame_indices"].size(), row["frame_timestamps"].size());
    EXPECT_TRUE(row["correct"].is_boolean());
    if (!row["answer_parsed"].get<bool>()) EXPECT_EQ(row["correct"], false);
    with_subs += row["subtitle_lines"].get<int>() > 0 ? 1 : 0;
  }
  EXPECT_EQ(errors, 3 * 5);
  EXPECT_GT(with_subs, 0);  // some sampled frame fell in a cue
  EXPECT_NE(r.report.find("| videomme | "), std::string::npos) << r.report;
  EXPECT_NE(r.report.find("accuracy per duration | short"), std::string::npos) << r.report;
  EXPECT_NE(r.report.find("accuracy per task type"), std::string::npos);
  if (!HasFailure()) fs::remove_all(r.dir);  // kept for inspection when the test fails
}

TEST(DatasetsE2E, VideoMmeThroughAProtocolCard) {
  const EvalRun r = eval_and_report("videomme", "videomme", 1, "videomme_qwen2_5_vl_lmms_sub");
  ASSERT_EQ(r.rows.size(), 3u * 5u);
  for (const auto& row : r.rows) {
    EXPECT_TRUE(row["error"].is_null()) << row["error"];
    EXPECT_EQ(row["protocol"]["card"]["card"], "videomme_qwen2_5_vl_lmms_sub");
    EXPECT_EQ(row["protocol"]["card"]["version"], 1);
    EXPECT_EQ(row["protocol"]["subtitle_frame_num"], 32);
  }
  // A card for another family is refused before any row is written.
  std::ofstream(r.dir / "wrong.yaml") << "model: " << (r.dir / "model").string() << "\n"
                                      << "dataset: {benchmark: videomme, root: " << (r.dir / "data").string() << "}\n"
                                      << "protocol: videomme_llava_video_official\n"
                                      << kMethods;
  EXPECT_NE(run("cd " + std::string(PEVLM_SOURCE_DIR) + " && " + PEVLM_BIN + " eval --config " + (r.dir / "wrong.yaml").string() +
                " --out " + (r.dir / "wrong").string()),
            0);
  EXPECT_NE(read(fs::temp_directory_path() / "pevlm_datasets_e2e.log").find("is for the llava_video family"), std::string::npos);
  if (!HasFailure()) fs::remove_all(r.dir);  // kept for inspection when the test fails
}

TEST(DatasetsE2E, MlvuReportsMAvg) {
  const EvalRun r = eval_and_report("mlvu", "mlvu", 3, small("lmms"));
  ASSERT_EQ(r.rows.size(), 12u * 5u);
  for (const auto& row : r.rows) {
    EXPECT_TRUE(row["error"].is_null()) << row["error"];
    EXPECT_EQ(row["benchmark"], "mlvu");
    EXPECT_EQ(row["answer_extractor"], "lmms_mlvu");
  }
  EXPECT_NE(r.report.find("| M-Avg | mean over 3 task values |"), std::string::npos) << r.report;
  EXPECT_NE(r.report.find("accuracy per task | plotQA"), std::string::npos) << r.report;
  if (!HasFailure()) fs::remove_all(r.dir);  // kept for inspection when the test fails
}

TEST(DatasetsE2E, LvBenchCountsMultiLabelCategories) {
  const EvalRun r = eval_and_report("lvbench", "lvbench", 2, small("lmms"));
  ASSERT_EQ(r.rows.size(), 8u * 5u);
  for (const auto& row : r.rows) EXPECT_TRUE(row["error"].is_null()) << row["error"];
  EXPECT_NE(r.report.find("accuracy per category | KIR"), std::string::npos) << r.report;
  EXPECT_NE(r.report.find("accuracy per category | TG"), std::string::npos) << r.report;
  if (!HasFailure()) fs::remove_all(r.dir);  // kept for inspection when the test fails
}

TEST(DatasetsE2E, ReportRefusesMixedProtocols) {
  const EvalRun a = eval_and_report("lvbench", "lvbench", 1, small("lmms"));
  std::ofstream(a.dir / "eval2.yaml") << "model: " << (a.dir / "model").string() << "\n"
                                      << "dataset: {benchmark: lvbench, root: " << (a.dir / "data").string() << "}\n"
                                      << "protocol: " << small("official") << "\n"
                                      << "dtype: fp32\nthreads: 1\nmethods: [{name: full}]\n";
  ASSERT_EQ(run(std::string(PEVLM_BIN) + " eval --config " + (a.dir / "eval2.yaml").string() + " --out " + (a.dir / "out2").string()), 0);
  std::ofstream(a.dir / "out" / "results.jsonl", std::ios::app) << read(a.dir / "out2" / "results.jsonl");
  EXPECT_NE(run(std::string(PEVLM_BIN) + " report " + (a.dir / "out").string()), 0);
  EXPECT_EQ(run(std::string(PEVLM_BIN) + " report " + (a.dir / "out").string() + " --allow-mixed-protocols"), 0);
  if (!HasFailure()) fs::remove_all(a.dir);  // kept for inspection when the test fails
}

}  // namespace
}  // namespace pevlm
