// One protocol per report column (issue 24 item 6): rows of one (model, configuration) recorded under
// different protocols make `pevlm report` fail naming the column and the flag, unless
// --allow-mixed-protocols, which reports them as warnings; other columns may use other protocols.
#include <gtest/gtest.h>

#include <stdexcept>

#include "harness/report/protocol_check.h"
#include "harness/report/report_builder.h"

namespace pevlm {
namespace {

nlohmann::json row(const std::string& id, const std::string& label, const nlohmann::json& protocol) {
  nlohmann::json r = {{"key", id + "|" + label}, {"sample_id", id}, {"video_id", "v" + id}, {"method", label}, {"label", label},
                      {"correct", true}, {"error", nullptr}, {"model", {{"name", "m"}}}, {"utc_time", "2026-12-07T05:00:00Z"},
                      {"timings_ms", {{"preprocess", 1.0}, {"vision", 1.0}, {"prefill_attention", 1.0}, {"prefill_other", 1.0}, {"decode", 1.0}}}};
  if (!protocol.is_null()) r["protocol"] = protocol;
  return r;
}

const nlohmann::json kV = {{"name", "lmms_val_v"}, {"max_num_frames", 64}};
const nlohmann::json kV32 = {{"name", "lmms_val_v"}, {"max_num_frames", 32}};

TEST(ReportProtocols, OneProtocolPerColumnPasses) {
  // Different protocols in different columns are fine: each column is comparable within itself.
  const std::vector<nlohmann::json> rows = {row("a", "full", kV), row("b", "full", kV), row("a", "pevlm", kV32)};
  EXPECT_TRUE(mixed_protocol_columns(rows).empty());
  EXPECT_TRUE(check_one_protocol_per_column(rows, false).empty());
  ResultSet rs;
  rs.rows = rows;
  EXPECT_NO_THROW(build_report(rs, ReportOptions{}));
}

TEST(ReportProtocols, MixedColumnIsRefusedUnlessAllowed) {
  ResultSet rs;
  rs.rows = {row("a", "full", kV), row("b", "full", kV32), row("c", "full", kV32), row("a", "pevlm", kV),
             row("b", "pevlm", nullptr)};
  const auto mixed = mixed_protocol_columns(rs.rows);
  ASSERT_EQ(mixed.size(), 2u);
  EXPECT_EQ(mixed[0].label, "full");
  EXPECT_EQ(mixed[0].rows, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(mixed[1].protocols.back(), "null");  // a row without a recorded protocol is another protocol
  try {
    build_report(rs, ReportOptions{});
    FAIL() << "mixed protocols accepted";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("configuration full"), std::string::npos) << what;
    EXPECT_NE(what.find("max_num_frames\":32"), std::string::npos) << what;
    EXPECT_NE(what.find("--allow-mixed-protocols"), std::string::npos) << what;
  }
  ReportOptions allow;
  allow.allow_mixed_protocols = true;
  const nlohmann::json rep = build_report(rs, allow);
  int warnings = 0;
  for (const auto& w : rep["warnings"]) warnings += w.get<std::string>().find("different protocols") != std::string::npos;
  EXPECT_EQ(warnings, 2);
  EXPECT_NE(render_report_body(rep).find("different protocols in one column"), std::string::npos);
}

}  // namespace
}  // namespace pevlm
