// Accuracy by position of the referred moment (issue 13, item 6): the bin rule of
// harness/report/position_bins.h on hand-made rows, and the report's table from them.
#include <gtest/gtest.h>

#include "harness/report/position_bins.h"
#include "harness/report/report_builder.h"

namespace pevlm {
namespace {

nlohmann::json row(const std::string& id, const std::string& label, nlohmann::json position, double duration, bool correct) {
  return {{"key", id + "|" + label}, {"sample_id", id}, {"method", label}, {"label", label}, {"position", position},
          {"duration_s", duration}, {"correct", correct}, {"error", nullptr}, {"model", {{"name", "m"}}},
          {"utc_time", "2026-11-29T20:00:00Z"},
          {"timings_ms", {{"preprocess", 1.0}, {"vision", 1.0}, {"prefill_attention", 1.0}, {"prefill_other", 1.0}, {"decode", 1.0}}}};
}

TEST(ReportPosition, BinsFollowTheMeanPositionOverTheDuration) {
  EXPECT_EQ(position_bin(row("a", "full", {0}, 10, true)), "0-20%");
  EXPECT_EQ(position_bin(row("a", "full", {1, 3}, 10, true)), "20-40%");  // mean 2 s of 10 s -> 0.2
  EXPECT_EQ(position_bin(row("a", "full", {5}, 10, true)), "40-60%");
  EXPECT_EQ(position_bin(row("a", "full", {10}, 10, true)), "80-100%");   // the last instant stays in the last bin
  EXPECT_EQ(position_bin(row("a", "full", {20}, 9, true)), "beyond duration");
  EXPECT_EQ(position_bin(row("a", "full", nlohmann::json::array(), 9, true)), "no position");
  nlohmann::json no_field = row("a", "full", {1}, 9, true);
  no_field.erase("position");
  EXPECT_EQ(position_bin(no_field), "no position");
}

TEST(ReportPosition, TableCountsAccuracyPerBinAndConfiguration) {
  ResultSet rs;
  rs.rows = {row("a", "full", {1}, 10, true), row("b", "full", {9}, 10, false), row("c", "full", {9.5}, 10, true),
             row("a", "pevlm", {1}, 10, false), row("b", "pevlm", {9}, 10, true), row("c", "pevlm", {9.5}, 10, true)};
  const nlohmann::json rep = build_report(rs, ReportOptions{});
  const auto& rows = rep["by_position"]["rows"];
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["label"], "full");
  EXPECT_EQ(rows[0]["g_0-20%"], "100.00 (1)") << rows[0].dump();
  EXPECT_EQ(rows[0]["g_80-100%"], "50.00 (2)") << rows[0].dump();
  EXPECT_EQ(rows[1]["g_80-100%"], "100.00 (2)") << rows[1].dump();
  EXPECT_NE(render_report_body(rep).find("## Accuracy by position of the referred moment"), std::string::npos);
}

}  // namespace
}  // namespace pevlm
