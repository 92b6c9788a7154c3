// Clustered intervals, paired comparisons against full attention, McNemar and the Pareto front
// (harness/report/stats, clustered_accuracy, paired_comparison, pareto) against values computed
// independently with statsmodels / numpy: tests/data/report_stats/expected.json, written with
// results.jsonl by scripts/golden/make_report_stats_golden.py.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "harness/report/clustered_accuracy.h"
#include "harness/report/paired_comparison.h"
#include "harness/report/pareto.h"
#include "harness/report/report_builder.h"
#include "harness/report/results_io.h"
#include "harness/report/stats.h"

namespace pevlm {
namespace {

const std::string kDir = PEVLM_SOURCE_DIR "/tests/data/report_stats";
// statsmodels and this code sum the same few doubles in different orders.
constexpr double kTol = 1e-12;

nlohmann::json expected() {
  std::ifstream in(kDir + "/expected.json");
  EXPECT_TRUE(in.good()) << kDir << "/expected.json";
  return nlohmann::json::parse(in);
}

StatsOptions options(const nlohmann::json& e) {
  return {e["bootstrap_resamples"].get<int>(), e["bootstrap_seed"].get<uint64_t>()};
}

std::map<std::string, nlohmann::json> by_label(const nlohmann::json& table) {
  std::map<std::string, nlohmann::json> out;
  for (const auto& r : table["rows"]) out[r["label"].get<std::string>()] = r;
  return out;
}

TEST(ReportStats, AccuracyIntervalsMatchStatsmodelsClusterRobustOls) {
  const nlohmann::json e = expected();
  const ResultSet rs = load_results_jsonl(kDir + "/results.jsonl");
  const auto table = by_label(accuracy_ci_table(rs.rows, options(e)));
  ASSERT_EQ(table.size(), e["accuracy"].size());
  for (const auto& [label, want] : e["accuracy"].items()) {
    SCOPED_TRACE(label);
    const nlohmann::json& got = table.at(label);
    EXPECT_EQ(got["scored"], want["n"]);
    EXPECT_EQ(got["clusters"], want["clusters"]);
    EXPECT_EQ(got["unparsed"], want["unparsed"]);
    EXPECT_NEAR(got["accuracy"].get<double>(), 100 * want["mean"].get<double>(), 100 * kTol);
    EXPECT_NEAR(got["se"].get<double>(), 100 * want["se"].get<double>(), 100 * kTol);
    EXPECT_NEAR(got["ci_low"].get<double>(), 100 * want["ci_low"].get<double>(), 100 * kTol);
    EXPECT_NEAR(got["ci_high"].get<double>(), 100 * want["ci_high"].get<double>(), 100 * kTol);
    EXPECT_NEAR(got["bootstrap"]["low"].get<double>(), 100 * want["bootstrap_low"].get<double>(), 100 * kTol);
    EXPECT_NEAR(got["bootstrap"]["high"].get<double>(), 100 * want["bootstrap_high"].get<double>(), 100 * kTol);
  }
  // block_attention's unparsed rows took LongVideoBench's random letter; pevlm's was scored wrong.
  EXPECT_EQ(table.at("block_attention(block_tokens=4096,positions=retain)")["fallback_random"], 2);
  EXPECT_EQ(table.at("pevlm(sink_frames=2,block_frames=16,positions=retain)")["fallback_random"], 0);
}

TEST(ReportStats, PairedDifferenceFlipsAndMcNemarMatchStatsmodels) {
  const nlohmann::json e = expected();
  const ResultSet rs = load_results_jsonl(kDir + "/results.jsonl");
  const auto table = by_label(paired_vs_full_table(rs.rows, options(e)));
  ASSERT_EQ(table.size(), e["paired"].size());
  for (const auto& [label, want] : e["paired"].items()) {
    SCOPED_TRACE(label);
    const nlohmann::json& got = table.at(label);
    EXPECT_EQ(got["baseline"], "full");
    EXPECT_EQ(got["pairs"], want["n"]);
    EXPECT_EQ(got["clusters"], want["clusters"]);
    EXPECT_EQ(got["right_to_wrong"], want["right_to_wrong"]);
    EXPECT_EQ(got["wrong_to_right"], want["wrong_to_right"]);
    EXPECT_NEAR(got["mcnemar_p"].get<double>(), want["mcnemar_p"].get<double>(), 1e-12);
    EXPECT_NEAR(got["diff"].get<double>(), 100 * want["mean"].get<double>(), 100 * kTol);
    EXPECT_NEAR(got["diff_se"].get<double>(), 100 * want["se"].get<double>(), 100 * kTol);
    EXPECT_NEAR(got["diff_ci_low"].get<double>(), 100 * want["ci_low"].get<double>(), 100 * kTol);
    EXPECT_NEAR(got["diff_ci_high"].get<double>(), 100 * want["ci_high"].get<double>(), 100 * kTol);
    EXPECT_NEAR(got["bootstrap"]["low"].get<double>(), 100 * want["bootstrap_low"].get<double>(), 100 * kTol);
    EXPECT_NEAR(got["bootstrap"]["high"].get<double>(), 100 * want["bootstrap_high"].get<double>(), 100 * kTol);
  }
}

TEST(ReportStats, McNemarExactMatchesStatsmodelsOnLargeCounts) {
  for (const auto& c : expected()["mcnemar_extra"]) {
    const double want = c["p"];
    const double got = stats::mcnemar_exact_p(c["b"], c["c"]);
    EXPECT_NEAR(got, want, 1e-9 * want + 1e-15) << "b=" << c["b"] << " c=" << c["c"];
  }
  EXPECT_THROW(stats::mcnemar_exact_p(-1, 2), std::invalid_argument);
  EXPECT_DOUBLE_EQ(stats::binomial_half_cdf(2, 4), 11.0 / 16.0);
}

TEST(ReportStats, ParetoFrontPerDurationGroup) {
  const nlohmann::json e = expected();
  const ResultSet rs = load_results_jsonl(kDir + "/results.jsonl");
  const nlohmann::json groups = pareto_groups(rs.rows, "duration_group");
  ASSERT_EQ(groups.size(), e["pareto"].size());
  for (const auto& g : groups) {
    const auto& want = e["pareto"].at(g["group"].get<std::string>());
    ASSERT_EQ(g["points"].size(), want.size()) << g["group"];
    for (size_t i = 0; i < want.size(); ++i) {
      SCOPED_TRACE(g["group"].get<std::string>() + " " + want[i]["label"].get<std::string>());
      EXPECT_EQ(g["points"][i]["label"], want[i]["label"]);
      EXPECT_NEAR(g["points"][i]["accuracy"].get<double>(), want[i]["accuracy"].get<double>(), 1e-10);
      EXPECT_NEAR(g["points"][i]["prefill_ms"].get<double>(), want[i]["prefill_ms"].get<double>(), 1e-7);
      EXPECT_EQ(g["points"][i]["pareto"], want[i]["pareto"]);
    }
  }
  // Ties: an equal point does not dominate; a point better in one and equal in the other does.
  EXPECT_EQ(pareto_front({{50, 10}, {50, 10}, {50, 12}, {40, 5}}), (std::vector<bool>{true, true, false, true}));
}

TEST(ReportStats, EdgeCasesAndClusterFallback) {
  // One cluster: no robust standard error (G / (G - 1) undefined), never a made-up interval.
  const stats::ClusteredMean one = stats::clustered_mean({1, 0, 1}, {"v", "v", "v"});
  EXPECT_NEAR(one.mean, 2.0 / 3.0, 1e-15);
  EXPECT_FALSE(one.se.has_value());
  EXPECT_THROW(stats::clustered_mean({1}, {}), std::invalid_argument);
  EXPECT_THROW(stats::cluster_bootstrap({}, {}, 10, 1), std::invalid_argument);
  // Same seed, same interval; another seed, (almost surely) another.
  const std::vector<double> y = {1, 0, 1, 1, 0, 0, 1, 0, 1, 1};
  const std::vector<std::string> c = {"a", "a", "b", "c", "c", "d", "e", "e", "f", "g"};
  const auto b1 = stats::cluster_bootstrap(y, c, 500, 7), b2 = stats::cluster_bootstrap(y, c, 500, 7);
  EXPECT_EQ(b1.low, b2.low);
  EXPECT_EQ(b1.high, b2.high);
  // Rows without video_id cluster by sample and the rule says how many.
  nlohmann::json old_row = {{"sample_id", "s1"}, {"key", "s1|full"}};
  nlohmann::json new_row = {{"sample_id", "v_0"}, {"video_id", "v"}, {"key", "v_0|full"}};
  EXPECT_EQ(row_cluster(old_row), "sample:s1");
  EXPECT_EQ(row_cluster(new_row), "video:v");
  EXPECT_NE(cluster_rule({old_row, new_row}, {}).find("1 of 2 rows have no video_id"), std::string::npos);
  // Unparsed: the new field wins; older rows count their fallback flag.
  EXPECT_TRUE(row_unparsed({{"answer_parsed", false}, {"fallback", false}}));
  EXPECT_FALSE(row_unparsed({{"answer_parsed", true}, {"fallback", true}}));
  EXPECT_TRUE(row_unparsed({{"fallback", true}}));
  // A scored row without prefill timings is an error naming the row.
  try {
    row_prefill_ms({{"key", "k1"}, {"timings_ms", {{"prefill_attention", 1.0}}}});
    FAIL();
  } catch (const std::runtime_error& err) {
    EXPECT_NE(std::string(err.what()).find("'k1': timings_ms.prefill_other"), std::string::npos) << err.what();
  }
}

TEST(ReportStats, ReportCarriesTheStatisticsAndPrintsTheAnalyticInterval) {
  const ResultSet rs = load_results_jsonl(kDir + "/results.jsonl");
  const nlohmann::json rep = build_report(rs, ReportOptions{});
  EXPECT_EQ(rep["accuracy_ci"]["rows"].size(), 4u);
  EXPECT_EQ(rep["paired_vs_full"]["rows"].size(), 3u);
  EXPECT_EQ(rep["pareto"].size(), 3u);  // all, 60, 600
  const std::string md = render_report_body(rep);
  EXPECT_NE(md.find("## Accuracy with 95 % confidence intervals"), std::string::npos);
  EXPECT_NE(md.find("## Each configuration against full attention"), std::string::npos);
  EXPECT_NE(md.find("right->wrong / wrong->right"), std::string::npos);
  EXPECT_NE(md.find("| 6 / 2 |"), std::string::npos) << md;  // block_attention's flips
}

}  // namespace
}  // namespace pevlm
