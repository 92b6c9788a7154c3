// Latency-capped accuracy (Table 2) and accuracy accounting on the hand-written fixture
// tests/data/report/results.jsonl (written by make_fixture.py beside it). Hand-computed values:
//
//   config              s1          s2          s3          s4          (correct?, model latency s)
//   full                Y 12        Y 29        Y 35        N 45
//   block_attention     Y 10        N 15        error       Y 18
//   pevlm 2f/16f        Y 11        Y 14        Y 19.5      Y 21
//   pevlm 16f/16f       Y 11        N 16        Y 22        Y 25
//   pevlm 2f/8f         N 10 (fb)   Y 12        Y 14        N 16
//
// decode_video adds 2 s to every sample in mode with_decode_video.
#include <gtest/gtest.h>

#include "harness/report/accuracy.h"
#include "harness/report/latency_caps.h"
#include "harness/report/results_io.h"

namespace pevlm {
namespace {

const char* kFixture = PEVLM_SOURCE_DIR "/tests/data/report/results.jsonl";

const nlohmann::json& find_row(const CappedTable& t, const std::string& label) {
  for (const auto& r : t.rows)
    if (r["label"] == label) return r;
  throw std::runtime_error("no row " + label);
}

TEST(ReportResults, TornLastLineIsSkippedWithWarning) {
  const ResultSet rs = load_results_jsonl(kFixture);
  EXPECT_EQ(rs.rows.size(), 20u);
  ASSERT_EQ(rs.warnings.size(), 1u);
  EXPECT_NE(rs.warnings[0].find("results.jsonl:21"), std::string::npos) << rs.warnings[0];
  EXPECT_NE(rs.warnings[0].find("torn"), std::string::npos);
}

TEST(ReportResults, BadMiddleLineThrowsNamingLine) {
  const std::string text = "{\"key\":\"a|full\",\"sample_id\":\"a\",\"method\":\"full\",\"label\":\"full\"}\n{oops\n"
                           "{\"key\":\"b|full\",\"sample_id\":\"b\",\"method\":\"full\",\"label\":\"full\"}\n";
  try {
    parse_results_jsonl(text, "x.jsonl");
    FAIL() << "expected a throw";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("x.jsonl:2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_results_jsonl("{\"key\":\"a\"}\n", "y.jsonl"), std::runtime_error);  // missing sample_id
}

TEST(ReportAccuracy, FailedRowsAreCountedNotScored) {
  const ResultSet rs = load_results_jsonl(kFixture);
  const auto rows = accuracy_rows(rs.rows, "");
  ASSERT_EQ(rows.size(), 5u);
  const auto& block = rows[1];
  EXPECT_EQ(block["label"], "block_attention(block_tokens=4096,positions=retain)");
  EXPECT_EQ(block["scored"], 3);
  EXPECT_EQ(block["failed"], 1);
  EXPECT_EQ(block["correct"], 2);
  EXPECT_NEAR(block["accuracy"].get<double>(), 200.0 / 3.0, 1e-9);
  EXPECT_EQ(rows[4]["fallback"], 1);
}

TEST(ReportAccuracy, PerGroupValuesSortNumerically) {
  const ResultSet rs = load_results_jsonl(kFixture);
  EXPECT_EQ(group_values(rs.rows, "duration_group"), (std::vector<std::string>{"15", "60", "600", "3600"}));
  const auto rows = accuracy_rows(rs.rows, "question_category");
  // full on S2E: s1 (Y) and s3 (Y) -> 100; on TOS: s4 (N) -> 0.
  EXPECT_EQ(rows[0]["group"], "S2E");
  EXPECT_DOUBLE_EQ(rows[0]["accuracy"].get<double>(), 100.0);
  EXPECT_EQ(rows[2]["group"], "TOS");
  EXPECT_DOUBLE_EQ(rows[2]["accuracy"].get<double>(), 0.0);
}

TEST(ReportCaps, ModelLatencyHandComputed) {
  const ResultSet rs = load_results_jsonl(kFixture);
  const CappedTable t = capped_accuracy_table(rs.rows, {20, 30, 40}, LatencyMode::Model);
  const auto& full = find_row(t, "full");
  EXPECT_DOUBLE_EQ(full["no_limit"].get<double>(), 75.0);
  EXPECT_DOUBLE_EQ(full["cap_40s"].get<double>(), 75.0);
  EXPECT_DOUBLE_EQ(full["cap_30s"].get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(full["cap_20s"].get<double>(), 25.0);
  EXPECT_DOUBLE_EQ(full["median_latency_s"].get<double>(), 32.0);
  const auto& block = find_row(t, "block_attention(block_tokens=4096,positions=retain)");
  EXPECT_EQ(block["failed"], 1);
  EXPECT_NEAR(block["cap_20s"].get<double>(), 200.0 / 3.0, 1e-9);
  const auto& p2 = find_row(t, "pevlm(sink_frames=2,block_frames=16,positions=retain)");
  EXPECT_DOUBLE_EQ(p2["cap_30s"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(p2["cap_20s"].get<double>(), 75.0);
  const auto& p16 = find_row(t, "pevlm(sink_frames=16,block_frames=16,positions=retain)");
  EXPECT_DOUBLE_EQ(p16["cap_30s"].get<double>(), 75.0);
  EXPECT_DOUBLE_EQ(p16["cap_20s"].get<double>(), 25.0);
  // Columns: largest cap first, like the paper.
  EXPECT_EQ(t.columns[5].key, "cap_40s");
  EXPECT_EQ(t.columns[7].key, "cap_20s");
}

TEST(ReportCaps, WithDecodeVideoAddsDecodeTime) {
  const ResultSet rs = load_results_jsonl(kFixture);
  const CappedTable t = capped_accuracy_table(rs.rows, {20, 30, 40}, LatencyMode::WithDecodeVideo);
  const auto& full = find_row(t, "full");  // 14, 31, 37, 47 s
  EXPECT_DOUBLE_EQ(full["cap_30s"].get<double>(), 25.0);
  EXPECT_DOUBLE_EQ(full["cap_40s"].get<double>(), 75.0);
  const auto& p2 = find_row(t, "pevlm(sink_frames=2,block_frames=16,positions=retain)");  // 13, 16, 21.5, 23
  EXPECT_DOUBLE_EQ(p2["cap_20s"].get<double>(), 50.0);
  const auto& block = find_row(t, "block_attention(block_tokens=4096,positions=retain)");  // s4: 20 s, at the cap
  EXPECT_NEAR(block["cap_20s"].get<double>(), 200.0 / 3.0, 1e-9);
}

TEST(ReportCaps, CustomLatencyFunctionAndCapKeys) {
  const ResultSet rs = load_results_jsonl(kFixture);
  // Every sample at 25 s: a 20 s cap fails all, a 30 s cap keeps all.
  const CappedTable t = capped_accuracy_table(rs.rows, {7.5, 30}, [](const nlohmann::json&) { return 25000.0; });
  EXPECT_DOUBLE_EQ(find_row(t, "full")["cap_7p5s"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(find_row(t, "full")["cap_30s"].get<double>(), 75.0);
}

TEST(ReportCaps, ErrorsNameTheProblem) {
  EXPECT_EQ(parse_caps("20,30,40"), (std::vector<double>{20, 30, 40}));
  EXPECT_THROW(parse_caps("20,abc"), std::invalid_argument);
  EXPECT_THROW(parse_caps("-5"), std::invalid_argument);
  EXPECT_THROW(parse_latency_mode("wall"), std::invalid_argument);
  const nlohmann::json row = {{"key", "s|full"}, {"timings_ms", {{"preprocess", 1.0}, {"vision", 2.0}}}};
  try {
    row_latency_ms(row, LatencyMode::Model);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("s|full"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("prefill_attention"), std::string::npos);
  }
}

}  // namespace
}  // namespace pevlm
