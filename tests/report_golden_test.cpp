// The report's Markdown body from the fixture rows equals tests/data/report/report.golden.md
// (the generation header with time and commit is not part of the body). `pevlm report` end to
// end writes the three files. To refresh the golden after an intended change:
// PEVLM_UPDATE_GOLDEN=1 ./report_tests --gtest_filter=ReportGolden.*  (then review the diff).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/config_io.h"
#include "harness/report/report_builder.h"
#include "harness/report/report_command.h"

namespace pevlm {
namespace {

const std::string kDir = PEVLM_SOURCE_DIR "/tests/data/report";

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

nlohmann::json speed_fixture() {
  return nlohmann::json::array({
      {{"method", "full"}, {"label", "full"}, {"tokens", 105552}, {"attn_ms", 1000.0}, {"other_ms", 500.0},
       {"speedup_vs_full", 1.0}, {"llm_speedup_vs_full", 1.0}, {"flop_ratio_vs_full", 1.0}},
      {{"method", "pevlm"}, {"label", "pevlm(sink_frames=2,block_frames=16,positions=retain)"}, {"tokens", 105552},
       {"attn_ms", 50.0}, {"other_ms", 500.0}, {"speedup_vs_full", 20.0}, {"llm_speedup_vs_full", 1500.0 / 550.0},
       {"flop_ratio_vs_full", 20.3}},
  });
}

TEST(ReportGolden, BodyEqualsGoldenMarkdown) {
  const ResultSet rs = load_results_jsonl(kDir + "/results.jsonl");
  ReportOptions opt;
  for (const auto& r : speed_fixture()) opt.speed_rows.push_back(r);
  opt.speed_source = "speed.json";
  const std::string body = render_report_body(build_report(rs, opt));
  // The torn-line warning names the absolute fixture path; make it machine independent.
  std::string portable = body;
  for (size_t p; (p = portable.find(kDir + "/")) != std::string::npos;) portable.erase(p, kDir.size() + 1);
  const std::filesystem::path golden = kDir + "/report.golden.md";
  if (std::getenv("PEVLM_UPDATE_GOLDEN")) write_text_file(golden, portable);
  ASSERT_TRUE(std::filesystem::exists(golden)) << golden;
  EXPECT_EQ(portable, read_file(golden));
}

TEST(ReportGolden, CommandWritesThreeFiles) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("pevlm_report_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(kDir + "/results.jsonl", dir / "results.jsonl", std::filesystem::copy_options::overwrite_existing);
  write_text_file(dir / "speed.json", speed_fixture().dump());
  ASSERT_EQ(run_report_command({dir.string(), "--caps", "20,30,40", "--latency", "with_decode_video"}), 0);
  const std::string md = read_file(dir / "report.md");
  EXPECT_NE(md.find("mode 'with_decode_video'"), std::string::npos);
  EXPECT_NE(md.find("## Figure 4"), std::string::npos);
  EXPECT_NE(md.find("Generated "), std::string::npos);
  const nlohmann::json rep = nlohmann::json::parse(read_file(dir / "report.json"));
  EXPECT_EQ(rep["latency_mode"], "with_decode_video");
  EXPECT_EQ(rep["table2"]["rows"].size(), 5u);
  const std::string csv = read_file(dir / "report.csv");
  EXPECT_EQ(csv.rfind("model,label,method,grouping,group,scored,correct,failed,fallback,accuracy\n", 0), 0u);
  EXPECT_THROW(run_report_command({(dir / "missing").string()}), std::runtime_error);
  EXPECT_THROW(run_report_command({dir.string(), "--latency", "wall"}), std::invalid_argument);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pevlm
