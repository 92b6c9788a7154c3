// `pevlm analyze` end to end on a generated tiny model and synthetic LongVideoBench data (issue 13
// checks): it writes the JSON/CSV outputs, every query's masses sum to 1 within 1e-5 (per head and
// head-averaged, question rows and the first generated token), divergences exist for every method
// but full, --suggest-sink writes its rule and FLOP ratios, scripts/plot_analysis.py draws the
// PNG + SVG figures (skipped without matplotlib), and a bad option is an error naming the valid ones.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace {

int run(const std::string& cmd) {
  const int rc = std::system((cmd + " >>" + (fs::temp_directory_path() / "pevlm_analyze_e2e.log").string() + " 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class AnalyzeE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("pevlm_analyze_e2e_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    ASSERT_EQ(run(std::string(PEVLM_BIN) + " make-tiny-model " + (dir_ / "model").string() + " --seed 3"), 0);
    ASSERT_EQ(run(std::string(PEVLM_BIN) + " make-synthetic-lvb " + (dir_ / "lvb").string() + " --videos 1 --seed 5"), 0);
    std::ofstream(dir_ / "analyze.yaml")
        << "model: " << (dir_ / "model").string() << "\n"
        << "dataset: {root: " << (dir_ / "lvb").string() << ", split: val}\n"
        << "protocol: {name: lmms_val_v, max_num_frames: 8, min_pixels: 3136, max_pixels: 6272}\n"
        << "dtype: fp32\nthreads: 1\n"
        << "methods:\n  - {name: pevlm, sink_frames: [0, 1], block_frames: 1}\n"
        << "  - {name: pevlm, sink_frames: 1, block_frames: 1, positions: reuse}\n"
        << "  - {name: ape, prefix_tokens: 24, block_tokens: 32}\n";
    rc_ = run(std::string(PEVLM_BIN) + " analyze --config " + (dir_ / "analyze.yaml").string() + " --out " +
              (dir_ / "out").string() + " --queries both --limit 2 --per-head --suggest-sink");
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }
  static fs::path dir_;
  static int rc_;
};
fs::path AnalyzeE2E::dir_;
int AnalyzeE2E::rc_ = -1;

TEST_F(AnalyzeE2E, WritesOutputsWhoseMassesSumToOne) {
  ASSERT_EQ(rc_, 0) << "see " << (fs::temp_directory_path() / "pevlm_analyze_e2e.log");
  for (const char* f : {"analysis.jsonl", "analysis.md", "mass.csv", "divergence.csv", "divergence.json", "summary.json",
                        "sink.json", "sink.md", "config.resolved.json"})
    EXPECT_TRUE(fs::exists(dir_ / "out" / f)) << f;
  std::ifstream in(dir_ / "out" / "analysis.jsonl");
  int rows = 0;
  std::set<std::string> labels, sets;
  for (std::string line; std::getline(in, line);) {
    const nlohmann::json r = nlohmann::json::parse(line);
    ++rows;
    labels.insert(r["label"].get<std::string>());
    sets.insert(r["query_set"].get<std::string>());
    EXPECT_LE(r["max_sum_error"].get<double>(), 1e-5) << r["key"];
    ASSERT_EQ(r["layers"].size(), 2u) << "the tiny model has 2 layers";
    EXPECT_TRUE(r.contains("commit") || r["provenance"].contains("commit"));
    for (const auto& l : r["layers"]) {
      double sum = 0, fsum = 0;
      for (double v : l["mass"]) sum += v;
      for (double v : l["frames"]) fsum += v;
      EXPECT_NEAR(sum, 1.0, 1e-5) << r["key"];
      EXPECT_NEAR(fsum, 1.0, 1e-5) << r["key"];
      EXPECT_EQ(l["mass"].size(), r["spans"].size());
      for (const auto& h : l["per_head"]) {
        double hs = 0;
        for (double v : h) hs += v;
        EXPECT_NEAR(hs, 1.0, 1e-5) << r["key"];
      }
    }
  }
  EXPECT_EQ(rows, 2 * 5 * 2);  // samples x configurations (full added) x query sets
  EXPECT_EQ(labels.size(), 5u);
  EXPECT_EQ(sets, (std::set<std::string>{"question", "generated"}));
  const nlohmann::json summary = nlohmann::json::parse(read(dir_ / "out" / "summary.json"));
  EXPECT_LE(summary["max_sum_error"].get<double>(), 1e-5);
  EXPECT_GT(summary["peak_host_mib"].get<double>(), 0);
  const nlohmann::json div = nlohmann::json::parse(read(dir_ / "out" / "divergence.json"));
  std::set<std::string> div_labels;
  for (const auto& r : div["rows"]) div_labels.insert(r["label"].get<std::string>());
  EXPECT_EQ(div_labels.size(), 4u) << "every configuration but full";
  const nlohmann::json sink = nlohmann::json::parse(read(dir_ / "out" / "sink.json"));
  EXPECT_TRUE(sink["suggestion"]["suggested_sink_frames"].is_number_integer());
  EXPECT_FALSE(sink["suggestion"]["flops"].empty());
  EXPECT_NE(read(dir_ / "out" / "analysis.md").find("Divergence"), std::string::npos);
}

TEST_F(AnalyzeE2E, PlotScriptDrawsPngAndSvg) {
  ASSERT_EQ(rc_, 0);
  if (std::system("/usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "python3-matplotlib not installed (apt-get install -y python3-matplotlib)";
  ASSERT_EQ(run("/usr/bin/python3 " PEVLM_SOURCE_DIR "/scripts/plot_analysis.py " + (dir_ / "out").string()), 0);
  for (const char* stem : {"mass_per_frame", "layer_frame_heatmap", "divergence_vs_sink", "mass_per_span"})
    for (const char* ext : {".png", ".svg"}) {
      const fs::path f = dir_ / "out" / (std::string(stem) + ext);
      EXPECT_TRUE(fs::exists(f) && fs::file_size(f) > 1000) << f;
    }
}

TEST_F(AnalyzeE2E, UnknownQuerySetIsAnErrorListingTheValidOnes) {
  const fs::path log = dir_ / "bad.log";
  const int rc = std::system((std::string(PEVLM_BIN) + " analyze --config " + (dir_ / "analyze.yaml").string() + " --out " +
                              (dir_ / "bad").string() + " --queries answers >" + log.string() + " 2>&1")
                                 .c_str());
  EXPECT_NE(rc, 0);
  EXPECT_NE(read(log).find("valid: question, generated, both"), std::string::npos) << read(log);
}

}  // namespace
