// pevlm analyze's pieces without a model: divergences (hand-computed values), the divergence and
// mass tables, the sink chooser's rule and FLOP ratios, configuration errors, span labels.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <cmath>

#include "harness/analyze/analysis_tables.h"
#include "harness/analyze/analyze_config.h"
#include "harness/analyze/sink_chooser.h"

namespace pevlm {
namespace {

// 2 system tokens, 8 frames of 4 tokens, 3 question tokens.
TokenLayout layout8() { return make_synthetic_layout(SyntheticLayoutSpec{2, 8, 4, 3, false, 1, 4, 1}); }

// A record whose single analysed layer puts `frames` (scaled by 0.8) on the frames, 0.1 on the
// system text and 0.1 on the question, identical for both heads.
AnalysisRecord record(const std::string& sample, const nlohmann::json& method, const std::vector<double>& frames) {
  AnalysisRecord r;
  r.sample_id = sample;
  r.method = resolve_method(method);
  r.layout = layout8();
  QuerySetMass set{"question", analysis_spans(r.layout), {}};
  std::vector<double> m = {0.1};
  for (double f : frames) m.push_back(0.8 * f);
  m.push_back(0.1);
  LayerMass l;
  l.layer = 0;
  l.queries = 3;
  l.mass_HS = at::tensor(m, at::kFloat).unsqueeze(0).repeat({2, 1});
  set.layers.push_back(l);
  r.sets.push_back(set);
  return r;
}

const std::vector<double> kSinkHeavy = {0.3, 0.2, 0.05, 0.05, 0.2, 0.05, 0.05, 0.1};
const std::vector<double> kFlat = {0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125};

TEST(AnalyzeDivergence, HandComputedValues) {
  const Divergence d = divergence({0.5, 0.5}, {0.9, 0.1});
  // KL = .5 ln(.5/.9) + .5 ln(.5/.1); m = (.7, .3); JS = (KL(p||m) + KL(q||m)) / 2; TV = .4
  EXPECT_NEAR(d.kl, 0.5 * std::log(0.5 / 0.9) + 0.5 * std::log(5.0), 1e-12);
  const double js = 0.5 * (0.5 * std::log(0.5 / 0.7) + 0.5 * std::log(0.5 / 0.3) + 0.9 * std::log(0.9 / 0.7) + 0.1 * std::log(0.1 / 0.3));
  EXPECT_NEAR(d.js, js, 1e-12);
  EXPECT_NEAR(d.tv, 0.4, 1e-12);
  const Divergence same = divergence({1, 2, 3}, {2, 4, 6});  // renormalised: equal distributions
  EXPECT_NEAR(same.kl, 0, 1e-15);
  EXPECT_NEAR(same.js, 0, 1e-15);
  EXPECT_NEAR(same.tv, 0, 1e-15);
  EXPECT_GT(divergence({0.5, 0.5}, {1.0, 0.0}).kl, 10);  // a key range the method cannot see: large, finite
  EXPECT_THROW(divergence({1}, {0.5, 0.5}), std::invalid_argument);
}

TEST(AnalyzeDivergence, TableAveragesOverSamplesAgainstEachSamplesFullAttention) {
  const nlohmann::json full = {{"name", "full"}}, pe = {{"name", "pevlm"}, {"sink_frames", 1}, {"block_frames", 2}};
  const std::vector<AnalysisRecord> records = {record("a", full, kSinkHeavy), record("a", pe, kFlat),
                                               record("b", full, kFlat), record("b", pe, kFlat)};
  const std::vector<nlohmann::json> rows = divergence_rows(records);
  ASSERT_EQ(rows.size(), 2u);  // layer 0 and the mean, pevlm only
  const Divergence a = divergence(kSinkHeavy, kFlat);
  for (const auto& r : rows) {
    EXPECT_EQ(r["samples"], 2);
    EXPECT_NEAR(r["js_frames"].get<double>(), a.js / 2, 1e-6) << r.dump();  // sample b contributes 0
    EXPECT_NEAR(r["tv_frames"].get<double>(), a.tv / 2, 1e-6);
    EXPECT_NEAR(r["tv_spans"].get<double>(), 0.8 * a.tv / 2, 1e-6);  // frames hold 0.8 of the mass
  }
  EXPECT_NE(divergence_markdown(rows).find("| pevlm("), std::string::npos)
      << divergence_markdown(rows);
  const std::vector<nlohmann::json> mass = mass_rows(records);
  for (const auto& m : mass)
    if (m["label"] == "full" && m["layer"] == 0 && m["span"] == "frame 0") {
      EXPECT_NEAR(m["frame_share"].get<double>(), (0.3 + 0.125) / 2, 1e-6);
      EXPECT_NEAR(m["mass"].get<double>(), 0.8 * (0.3 + 0.125) / 2, 1e-6);
    }
}

TEST(AnalyzeSink, LeadingStandOutFramesAndCoverage) {
  const std::vector<AnalysisRecord> records = {record("a", {{"name", "full"}}, kSinkHeavy)};
  // median frame share 0.075 (sorted: .05 x4, .1, .2, .2, .3); factor 2: > 0.15 -> frames 0, 1 lead; frame 4 is not leading.
  SinkRule rule;
  rule.block_frames = {1, 2, 6};
  nlohmann::json s = suggest_sink(records, rule);
  EXPECT_EQ(s["suggested_sink_frames"], 2);
  EXPECT_NEAR(s["median_share"].get<double>(), 0.075, 1e-6);
  // excess: .225 .125 0 0 .125 0 0 .025 = .5; 80% = .4 -> frames 0, 1, 2, 3, 4 (.475)
  EXPECT_EQ(s["coverage_sink_frames"], 5);
  rule.coverage = 0.5;
  EXPECT_EQ(suggest_sink(records, rule)["coverage_sink_frames"], 2);
  // FLOP ratios: a single context block (6 frames after the 2-frame sink) sees sink + itself causally,
  // exactly full attention's pairs; smaller blocks cost less.
  const auto& f = s["flops"];
  ASSERT_EQ(f.size(), 3u);
  EXPECT_NEAR(f[2]["flop_ratio"].get<double>(), 1.0, 1e-12);
  EXPECT_LT(f[0]["flop_ratio"].get<double>(), f[1]["flop_ratio"].get<double>());
  EXPECT_LT(f[1]["flop_ratio"].get<double>(), 1.0);
  // Without a full-attention record there is nothing to choose from.
  const AnalysisRecord pe = record("a", {{"name", "pevlm"}, {"sink_frames", 1}, {"block_frames", 2}}, kFlat);
  EXPECT_THROW(suggest_sink({pe}, rule), std::invalid_argument);
}

TEST(AnalyzeConfigParse, DefaultsErrorsAndFullFirst) {
  const nlohmann::json base = {{"synthetic", {{"tokens", 600}, {"layers", 1}}},
                               {"methods", {{{"name", "pevlm"}, {"sink_frames", 1}, {"block_frames", 1}}}}};
  AnalyzeConfig c = parse_analyze_config(base, "t.yaml", ".");
  ASSERT_EQ(c.methods.size(), 2u);
  EXPECT_EQ(c.methods[0].name, "full");
  EXPECT_EQ(c.queries.name(), "question");
  EXPECT_TRUE(c.layers.empty());
  nlohmann::json bad = base;
  bad["analysis"] = {{"querys", "both"}};
  try {
    parse_analyze_config(bad, "t.yaml", ".");
    FAIL() << "unknown key accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("queries"), std::string::npos) << e.what();  // lists the valid keys
  }
  bad["analysis"] = {{"queries", "answer"}};
  EXPECT_THROW(parse_analyze_config(bad, "t.yaml", "."), std::invalid_argument);
  EXPECT_EQ(parse_layer_list("0,3", "x"), (std::vector<int64_t>{0, 3}));
  EXPECT_THROW(parse_layer_list("0,x", "x"), std::invalid_argument);
  EXPECT_THROW(parse_layer_list(nlohmann::json::array(), "x"), std::invalid_argument);
}

TEST(AnalyzeSpans, LabelsFollowTheLayout) {
  TokenLayout l;
  l.spans = {{SpanKind::Text, 0, 3}, {SpanKind::Frame, 3, 5, 0}, {SpanKind::Text, 5, 6}, {SpanKind::Frame, 6, 8, 1},
             {SpanKind::Question, 8, 10}};
  l.length = 10;
  std::vector<std::string> labels;
  for (const SpanInfo& s : analysis_spans(l)) labels.push_back(s.label);
  EXPECT_EQ(labels, (std::vector<std::string>{"system", "frame 0", "subtitles 0", "frame 1", "question"}));
  EXPECT_EQ(span_bounds(analysis_spans(l)), (std::vector<int64_t>{0, 3, 5, 6, 8, 10}));
}

}  // namespace
}  // namespace pevlm
