// `pevlm eval` with the `reduction:` axis on each family's tiny model (Qwen3-VL included) and the synthetic LongVideoBench set
// (issue 26): every reduction x {full, pevlm} answers without errors, the rows record the tokens before /
// after the stage and its time, the reduced rows have fewer visual tokens and refuse prefix reuse (saying why),
// and "none" rows keep their labels.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <utility>
#include <vector>

#include "harness/eval/results_store.h"

namespace fs = std::filesystem;

namespace pevlm {
namespace {

int run(const std::string& cmd) {
  const int rc = std::system((cmd + " >>" + (fs::temp_directory_path() / "pevlm_reduction_e2e.log").string() + " 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// `extra`: reductions beside the four every family runs (YAML entries, e.g. FastVID where the family's vision
// tower provides its saliency).
// `model_options`: the eval config's model_options mapping (YAML; `{dir}` is replaced by the tiny model's folder).
void check_family(const std::string& family, const std::vector<std::pair<std::string, std::string>>& extra = {},
                  std::string model_options = "") {
  SCOPED_TRACE(family);
  const fs::path dir = fs::temp_directory_path() / ("pevlm_reduction_e2e_" + family + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  ASSERT_EQ(run(std::string(PEVLM_BIN) + " make-tiny-model " + (dir / "model").string() + " --family " + family + " --seed 3"), 0);
  ASSERT_EQ(run(std::string(PEVLM_BIN) + " make-synthetic-lvb " + (dir / "lvb").string() + " --videos 1 --seed 5"), 0);
  for (size_t at = model_options.find("{dir}"); at != std::string::npos; at = model_options.find("{dir}"))
    model_options.replace(at, 5, (dir / "model").string());
  std::ofstream(dir / "eval.yaml")
      << "model: " << (dir / "model").string() << "\n"
      << (model_options.empty() ? "" : "model_options: " + model_options + "\n")
      << "dataset: {root: " << (dir / "lvb").string() << ", split: val, limit: 2}\n"
      << "protocol: {name: lmms_val_v, max_num_frames: 8, min_pixels: 3136, max_pixels: 6272}\n"
      << "dtype: fp32\nthreads: 1\n"
      << "methods: [{name: full}, {name: pevlm, sink_frames: 1, block_frames: 1}]\n"
      << "reduction: [{name: none}, {name: fastv, k: 1, r: 0.5}, {name: uniform_frames, ratio: 0.5}, {name: spatial_pool}";
  for (const auto& [name, yaml] : extra) std::ofstream(dir / "eval.yaml", std::ios::app) << ", " << yaml;
  std::ofstream(dir / "eval.yaml", std::ios::app) << "]\n";
  const fs::path out = dir / "out";
  ASSERT_EQ(run(std::string(PEVLM_BIN) + " eval --config " + (dir / "eval.yaml").string() + " --out " + out.string() +
                " --fail-on-errors"),
            0);
  const auto rows = read_results_jsonl(out / "results.jsonl");
  ASSERT_EQ(rows.size(), 2u * 2u * (4u + extra.size()));
  std::map<std::string, int> per_reduction;
  for (const auto& r : rows) {
    EXPECT_TRUE(r["error"].is_null()) << r["error"];
    if (!r.contains("reduction")) {  // "none": the row as before
      EXPECT_EQ(r["label"].get<std::string>().find('+'), std::string::npos);
      ++per_reduction["none"];
      continue;
    }
    const auto& red = r["reduction"];
    ++per_reduction[red["name"].get<std::string>()];
    const int64_t before = red["tokens_before"]["visual"], after = red["tokens_after"]["visual"];
    EXPECT_GT(before, 0);
    EXPECT_LT(after, before) << r["label"];
    // Only visual tokens leave, except that uniform frames drops a frame whole (Qwen3-VL: its timestamp too).
    const int64_t total_drop = red["tokens_before"]["total"].get<int64_t>() - red["tokens_after"]["total"].get<int64_t>();
    if (red["name"] == "uniform_frames") EXPECT_GE(total_drop, before - after);
    else EXPECT_EQ(total_drop, before - after);
    if (family != "qwen3_vl") EXPECT_EQ(total_drop, before - after);
    EXPECT_GE(red["ms"].get<double>(), 0.0);
    EXPECT_NE(r["label"].get<std::string>().find("+" + red["label"].get<std::string>()), std::string::npos);
    EXPECT_TRUE(r["timings_ms"].contains("reduction"));
    // Prefix reuse is refused for every reduction, the row saying why (FastV: the question picks the tokens).
    EXPECT_EQ(r["prefix_reuse"]["reused"], false) << r["label"];
    const std::string why = r["prefix_reuse"]["reason"];
    EXPECT_NE(why.find("reduction '" + red["label"].get<std::string>() + "'"), std::string::npos) << why;
    if (red["name"] == "fastv") EXPECT_NE(why.find("question"), std::string::npos) << why;
    if (red["name"] == "fastv") {
      EXPECT_EQ(red["from_layer"], 1);
      EXPECT_EQ(after, before / 2);  // int(N_v * 0.5)
    }
  }
  std::vector<std::string> names = {"none", "fastv", "uniform_frames", "spatial_pool"};
  for (const auto& e : extra) names.push_back(e.first);
  for (const std::string& name : names) EXPECT_EQ(per_reduction[name], 4) << name;
  fs::remove_all(dir);
}

// `family`'s tiny model with a none and a FastVID row: full answers, the FastVID row is an error holding `parts`.
void check_fastvid_error_row(const std::string& family, const std::vector<std::string>& parts) {
  SCOPED_TRACE(family);
  const fs::path dir = fs::temp_directory_path() / ("pevlm_reduction_e2e_err_" + family + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  ASSERT_EQ(run(std::string(PEVLM_BIN) + " make-tiny-model " + (dir / "model").string() + " --family " + family + " --seed 3"), 0);
  ASSERT_EQ(run(std::string(PEVLM_BIN) + " make-synthetic-lvb " + (dir / "lvb").string() + " --videos 1 --seed 5"), 0);
  std::ofstream(dir / "eval.yaml") << "model: " << (dir / "model").string() << "\n"
                                   << "dataset: {root: " << (dir / "lvb").string() << ", split: val, limit: 1}\n"
                                   << "dtype: fp32\nthreads: 1\n"
                                   << "methods: [{name: full}]\n"
                                   << "reduction: [{name: none}, {name: fastvid}]\n";
  ASSERT_EQ(run(std::string(PEVLM_BIN) + " eval --config " + (dir / "eval.yaml").string() + " --out " + (dir / "out").string()), 0);
  const auto rows = read_results_jsonl(dir / "out" / "results.jsonl");
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& r : rows) {
    if (r["label"] == "full") {
      EXPECT_TRUE(r["error"].is_null()) << r["error"];
      continue;
    }
    ASSERT_TRUE(r["error"].is_string()) << r["label"];
    for (const std::string& p : parts) EXPECT_NE(r["error"].get<std::string>().find(p), std::string::npos) << r["error"];
  }
  fs::remove_all(dir);
}

// FastVID has no reference code for Qwen3-VL: an error row naming the families it covers, the others answer.
TEST(ReductionEvalE2E, Qwen3FastvidIsAnErrorRow) {
  check_fastvid_error_row("qwen3_vl", {"no reference code for family 'qwen3_vl'", "qwen2_5_vl, llava_video"});
}
// LLaVA-Video without the SigLIP release: the FastVID rows say which model option to set.
TEST(ReductionEvalE2E, LlavaVideoFastvidWithoutTheReleaseIsAnErrorRow) {
  check_fastvid_error_row("llava_video", {"fastvid_siglip", "siglip-so400m-patch14-384"});
}

TEST(ReductionEvalE2E, QwenEveryReductionWithFullAndPevlm) {
  check_family("qwen2_5_vl", {{"fastvid", "{name: fastvid}"}});  // FastVID: the tower's saliency (Qwen2.5-VL)
}
// Qwen3-VL's frame spans carry their timestamp text and vision start/end tokens (Span::lead / tail): the
// reductions drop or pool only the pads; uniform frames drops a frame with its timestamp, as sampling fewer
// frames would.
TEST(ReductionEvalE2E, Qwen3EveryReductionWithFullAndPevlm) { check_family("qwen3_vl"); }
TEST(ReductionEvalE2E, LlavaVideoEveryReductionWithFullAndPevlm) {
  check_family("llava_video", {{"fastvid", "{name: fastvid, retention: 0.5}"}},
               "{fastvid_siglip: {dir}/siglip-so400m-patch14-384}");
}
// The LLaVA-OneVision configuration (bilinear pooling, one newline after the video): FastVID's OneVision tree.
TEST(ReductionEvalE2E, LlavaOnevisionConfigurationEveryReduction) {
  check_family("llava_video", {{"fastvid", "{name: fastvid, retention: 0.5}"}},
               "{pool_mode: bilinear, newline: one_token, fastvid_siglip: {dir}/siglip-so400m-patch14-384}");
}
}  // namespace
}  // namespace pevlm
