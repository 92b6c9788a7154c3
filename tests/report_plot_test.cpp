// scripts/plot.py on a report of the fixture rows writes the PNG and SVG figures, and a second
// `pevlm report` links them. Skips when python3-matplotlib is not installed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/config_io.h"
#include "harness/report/report_command.h"

namespace pevlm {
namespace {

TEST(ReportPlot, PlotScriptWritesFiguresAndReportLinksThem) {
  if (std::system("/usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "python3-matplotlib not installed (apt-get install -y python3-matplotlib)";
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("pevlm_plot_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(PEVLM_SOURCE_DIR "/tests/data/report/results.jsonl", dir / "results.jsonl",
                             std::filesystem::copy_options::overwrite_existing);
  write_text_file(dir / "speed.json",
                  R"J([{"method":"full","label":"full","tokens":1000,"attn_ms":100,"other_ms":50,"speedup_vs_full":1,"llm_speedup_vs_full":1},
 {"method":"pevlm","label":"pevlm(sink_frames=2,block_frames=16,positions=retain)","tokens":1000,"attn_ms":10,"other_ms":50,"speedup_vs_full":10,"llm_speedup_vs_full":2.5}])J");
  ASSERT_EQ(run_report_command({dir.string()}), 0);
  const std::string cmd = "/usr/bin/python3 " PEVLM_SOURCE_DIR "/scripts/plot.py " + dir.string() + " --pevlm /nonexistent >/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  for (const char* stem : {"speed_breakdown", "accuracy_vs_sink_block", "accuracy_vs_cap", "accuracy_vs_position"})
    for (const char* ext : {".png", ".svg"}) {
      const auto f = dir / (std::string(stem) + ext);
      EXPECT_TRUE(std::filesystem::exists(f) && std::filesystem::file_size(f) > 1000) << f;
    }
  // Accuracy vs prefill latency, one figure per duration group of the fixture (and all samples).
  for (const char* group : {"all", "15", "60", "600", "3600"})
    for (const char* ext : {".png", ".svg"}) {
      const auto f = dir / (std::string("accuracy_vs_prefill_") + group + ext);
      EXPECT_TRUE(std::filesystem::exists(f) && std::filesystem::file_size(f) > 1000) << f;
    }
  ASSERT_EQ(run_report_command({dir.string()}), 0);
  std::ifstream in(dir / "report.md");
  std::stringstream md;
  md << in.rdbuf();
  EXPECT_NE(md.str().find("![accuracy_vs_cap.png](accuracy_vs_cap.png)"), std::string::npos);
  EXPECT_NE(md.str().find("![accuracy_vs_prefill_600.png](accuracy_vs_prefill_600.png)"), std::string::npos);
  EXPECT_EQ(md.str().find("attention_masks.png"), std::string::npos);  // skipped: no pevlm binary
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pevlm
