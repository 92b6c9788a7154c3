// The report with token-reduced rows (issue 26): "vs full" compares every configuration, token-reduced full
// attention included, with full attention on the whole prompt, and shows the share of visual tokens kept;
// Table 1 puts no paper number beside a reduced configuration.
#include <gtest/gtest.h>

#include "harness/report/paired_comparison.h"
#include "harness/report/report_tables.h"

namespace pevlm {
namespace {

nlohmann::json row(const std::string& sample, const std::string& method, const std::string& reduction, bool correct,
                   int64_t visual_after) {
  nlohmann::json r = {{"key", sample + "|" + method + reduction}, {"sample_id", sample}, {"video_id", "v" + sample},
                      {"method", method}, {"label", method + (reduction.empty() ? "" : "+" + reduction)},
                      {"params", nlohmann::json::object()}, {"model", {{"name", "Qwen2.5-VL-7B-Instruct"}}},
                      {"error", nullptr}, {"correct", correct}};
  if (!reduction.empty())
    r["reduction"] = {{"name", reduction}, {"label", reduction},
                      {"tokens_before", {{"total", 120}, {"visual", 100}, {"frames", 4}}},
                      {"tokens_after", {{"total", 20 + visual_after}, {"visual", visual_after}, {"frames", 4}}}};
  return r;
}

TEST(ReductionReport, PairedAgainstFullOnTheWholePromptWithVisualTokens) {
  std::vector<nlohmann::json> rows;
  for (int i = 0; i < 6; ++i) {
    const std::string s = std::to_string(i);
    rows.push_back(row(s, "full", "", i < 4, 0));
    rows.push_back(row(s, "full", "fastv(k=2,r=0.5)", i < 3, 50));
    rows.push_back(row(s, "full", "uniform_frames(ratio=0.25)", i < 2, i < 3 ? 25 : 27));
  }
  const nlohmann::json t = paired_vs_full_table(rows, StatsOptions{200, 1});
  ASSERT_EQ(t["rows"].size(), 2u);
  for (const auto& r : t["rows"]) EXPECT_EQ(r["baseline"], "full");
  EXPECT_EQ(t["rows"][0]["label"], "full+fastv(k=2,r=0.5)");
  EXPECT_DOUBLE_EQ(t["rows"][0]["visual_tokens_kept"].get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(t["rows"][1]["visual_tokens_kept"].get<double>(), 26.0);  // mean of 25 % x 3 and 27 % x 3
  EXPECT_NEAR(t["rows"][0]["diff"].get<double>(), -100.0 / 6.0, 1e-9);
  EXPECT_NE(table_markdown(t).find("visual tokens %"), std::string::npos);

  const nlohmann::json t1 = table1(rows);
  for (const auto& r : t1["rows"])
    EXPECT_EQ(r["paper_accuracy"].is_null(), r["label"] != "full") << r["label"];
}

}  // namespace
}  // namespace pevlm
