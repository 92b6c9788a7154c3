// Data-dependent methods end to end through the CLI (issue 25, checks: "pevlm eval on the synthetic set
// with both methods on each family"): for Qwen2.5-VL, LLaVA-Video and LongVILA, `pevlm make-tiny-model`
// and `pevlm make-synthetic-lvb`, then `pevlm eval` with full, xattention and vertical_slash. Every row
// of a data-dependent method carries its `sparse` record (kept density per layer with mean/min/max over
// heads, the estimator's time and FLOPs, the sparse kernel that ran) and says why prefix reuse was off;
// full attention rows have none. `pevlm report` then shows the kept density and the estimator share.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "harness/eval/results_store.h"
#include "tests/cli_e2e_util.h"

namespace fs = std::filesystem;

namespace pevlm {
namespace {

using testing::read_file;
int run(const std::string& cmd, const fs::path& log) { return testing::run_logged(cmd, log); }

class SparseEvalE2E : public ::testing::TestWithParam<std::string> {};

TEST_P(SparseEvalE2E, EvalRowsCarryDensityEstimatorAndKernelAndReportShowsThem) {
  const std::string family = GetParam();
  const std::string bin = PEVLM_BIN;
  const testing::TinyFixture fixture = testing::tiny_fixture(bin, "pevlm_sparse_e2e_" + family, "--family " + family);
  ASSERT_EQ(fixture.error, "");
  const fs::path& dir = fixture.dir;
  // Small blocks and thresholds so that the tiny prompts (a few hundred tokens) keep some blocks and drop some.
  const std::map<std::string, std::string> methods = {
      {"full", "{name: full}"},
      {"xattention", "{name: xattention, block_tokens: 16, stride: 8, threshold: 0.6}"},
      {"vertical_slash", "{name: vertical_slash, vertical_size: 10, slash_size: 100, last_q: 32}"}};
  std::ofstream config(dir / "eval.yaml");
  config << "model: " << (dir / "model").string() << "\n"
         << "dataset: {root: " << (dir / "lvb").string() << ", split: val, limit: 2}\n"
         << "protocol: {name: lmms_val_v, max_num_frames: 4}\n"
         << "dtype: fp32\nthreads: 1\nmethods:\n";
  for (const auto& [name, m] : methods) config << "  - " << m << "\n";
  config.close();
  ASSERT_EQ(run(bin + " eval --config " + (dir / "eval.yaml").string() + " --out " + (dir / "out").string(), dir / "eval.log"), 0)
      << read_file(dir / "eval.log");
  const auto rows = read_results_jsonl(dir / "out" / "results.jsonl");
  ASSERT_EQ(rows.size(), 2 * methods.size());
  std::map<std::string, int> sparse_rows;
  for (const auto& r : rows) {
    ASSERT_TRUE(r["error"].is_null()) << r.dump();
    EXPECT_EQ(r["model"]["family"], family);
    const std::string method = r["method"];
    if (method == "full") {
      EXPECT_FALSE(r.contains("sparse")) << r.dump();
      continue;
    }
    ASSERT_TRUE(r.contains("sparse")) << method << ": " << r.dump();
    const nlohmann::json& sp = r["sparse"];
    // The kernel that ran, named (the default cpu executor: block-granular plans by the fused kernel per
    // head, column-granular ones by gathered keys).
    const std::string kernel = sp["kernel"];
    if (method == "xattention") EXPECT_NE(kernel.find("fused_plan_flash_cpu"), std::string::npos) << sp.dump();
    else EXPECT_TRUE(kernel.find("fused_plan_flash_cpu") != std::string::npos || kernel.find("sparse_gathered") != std::string::npos)
        << sp.dump();
    EXPECT_GT(sp["estimator_flops"].get<double>(), 0) << sp.dump();
    EXPECT_GE(sp["estimator_ms"].get<double>(), 0) << sp.dump();
    EXPECT_GT(sp["attention_flops"].get<double>(), 0) << sp.dump();
    const double mean = sp["density"]["mean"], lo = sp["density"]["min"], hi = sp["density"]["max"];
    EXPECT_GT(lo, 0) << sp.dump();
    EXPECT_LE(lo, mean) << sp.dump();
    EXPECT_LE(mean, hi) << sp.dump();
    EXPECT_LE(hi, 1.0) << sp.dump();
    ASSERT_TRUE(sp["layers"].is_array());
    EXPECT_GE(sp["layers"].size(), 1u);  // one record per decoder layer
    for (const auto& l : sp["layers"]) EXPECT_LE(l["density_min"].get<double>(), l["density_max"].get<double>()) << l.dump();
    // The estimator's time is part of the prefill attention time the latency figures use.
    EXPECT_LE(sp["estimator_ms"].get<double>(), r["timings_ms"]["prefill_attention"].get<double>()) << r.dump();
    // A data-dependent plan is never split for prefix reuse; the row says why.
    EXPECT_EQ(r["prefix_reuse"]["reused"], false) << r["prefix_reuse"].dump();
    EXPECT_NE(r["prefix_reuse"]["reason"].get<std::string>().find("data-dependent"), std::string::npos) << r["prefix_reuse"].dump();
    ++sparse_rows[method];
  }
  EXPECT_EQ(sparse_rows["xattention"], 2);
  EXPECT_EQ(sparse_rows["vertical_slash"], 2);

  ASSERT_EQ(run(bin + " report " + (dir / "out").string(), dir / "report.log"), 0) << read_file(dir / "report.log");
  const std::string report = read_file(dir / "out" / "report.md");
  EXPECT_NE(report.find("kept density"), std::string::npos) << report;
  EXPECT_NE(report.find("estimator share"), std::string::npos) << report;
  for (const char* m : {"| xattention |", "| vertical_slash |", "| full |"}) EXPECT_NE(report.find(m), std::string::npos) << m << "\n" << report;
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Families, SparseEvalE2E, ::testing::Values("qwen2_5_vl", "qwen3_vl", "llava_video", "longvila"));

}  // namespace
}  // namespace pevlm
