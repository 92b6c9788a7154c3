// `pevlm eval` with decoders end to end on the tiny model and synthetic LongVideoBench videos: the
// caption protocol with PEVLM prefill, greedy + StD (sweeps over K and the verify mode) writes rows
// with the speculative metrics and lossless = true; greedy rows keep the method's key and label;
// a rerun resumes (nothing left); `pevlm report` keeps caption rows out of the accuracy tables and
// lists them per decoder; a bad decoder is an error naming the valid ones.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "harness/eval/results_store.h"

namespace fs = std::filesystem;

namespace pevlm {
namespace {

const fs::path& log_path() {
  static const fs::path p = fs::temp_directory_path() / ("pevlm_decoder_e2e_" + std::to_string(::getpid()) + ".log");
  return p;
}

int run(const std::string& cmd) {
  const int rc = std::system((cmd + " >>" + log_path().string() + " 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Fixture {
  fs::path dir;
  fs::path config(const std::string& name, const std::string& decoder) const {
    const fs::path c = dir / (name + ".yaml");
    std::ofstream(c) << "model: " << (dir / "model").string() << "\n"
                     << "dataset: {root: " << (dir / "lvb").string() << ", split: val, limit: 2}\n"
                     << "protocol: {name: caption, max_num_frames: 8, min_pixels: 3136, max_pixels: 6272, max_new_tokens: 40}\n"
                     << "dtype: fp32\nthreads: 1\n"
                     << "methods: [{name: pevlm, sink_frames: 1, block_frames: 1}]\n"
                     << "decoder: " << decoder << "\n";
    return c;
  }
};

const Fixture& fixture() {
  static const Fixture f = [] {
    Fixture x;
    x.dir = fs::temp_directory_path() / ("pevlm_decoder_e2e_" + std::to_string(::getpid()));
    fs::remove_all(x.dir);
    fs::create_directories(x.dir);
    EXPECT_EQ(run(std::string(PEVLM_BIN) + " make-tiny-model " + (x.dir / "model").string() + " --seed 1 --dtype f32"), 0);
    EXPECT_EQ(run(std::string(PEVLM_BIN) + " make-synthetic-lvb " + (x.dir / "lvb").string() + " --videos 2 --seed 5"), 0);
    return x;
  }();
  return f;
}

std::string eval_cmd(const fs::path& config, const fs::path& out) {
  return std::string(PEVLM_BIN) + " eval --config " + config.string() + " --out " + out.string();
}

TEST(DecoderEvalE2E, CaptionWithPevlmAndStdWritesLosslessRowsWithMetrics) {
  const Fixture& f = fixture();
  const fs::path config = f.config(
      "std", "[{name: greedy}, {name: std, k_tokens: [0, 4, 100000], gamma: 3, verify: [batched, sequential]}]");
  const fs::path out = f.dir / "std";
  ASSERT_EQ(run(eval_cmd(config, out)), 0) << read_file(log_path());
  const auto rows = read_results_jsonl(out / "results.jsonl");
  ASSERT_EQ(rows.size(), 2u * 7u);  // 2 samples x (greedy + 3 K x 2 verify modes)
  const std::string method_label = "pevlm(sink_frames=1,block_frames=1,positions=retain)";
  std::map<std::string, std::string> greedy_response;
  for (const auto& r : rows) {
    ASSERT_TRUE(r["error"].is_null()) << r["error"];
    EXPECT_TRUE(r["response"].is_string());
    EXPECT_GT(r["generated_tokens"].get<int64_t>(), 0);
    EXPECT_LE(r["generated_tokens"].get<int64_t>(), 40);
    EXPECT_TRUE(r["correct"].is_null());
    EXPECT_TRUE(r["predicted"].is_null());
    EXPECT_TRUE(r["open_ended"].get<bool>());
    EXPECT_EQ(r["protocol"]["name"], "caption");
    EXPECT_TRUE(r["decode_tokens_per_s"].is_number());
    if (r["decoder"]["name"] == "greedy") {
      EXPECT_EQ(r["label"], method_label);  // today's label and key
      EXPECT_EQ(r["key"], r["sample_id"].get<std::string>() + "|" + method_label);
      greedy_response[r["sample_id"]] = r["response"];
      EXPECT_FALSE(r.contains("speculative"));
      continue;
    }
    EXPECT_EQ(r["label"], method_label + "+" + r["decoder_label"].get<std::string>());
    ASSERT_TRUE(r.contains("speculative")) << r.dump();
    const auto& sp = r["speculative"];
    EXPECT_TRUE(r["lossless"].get<bool>()) << r["label"];
    EXPECT_TRUE(sp["lossless"].get<bool>());
    EXPECT_EQ(r["greedy_generated_tokens"], r["generated_tokens"]);
    for (const char* k : {"decode_tokens_per_s", "speedup_vs_greedy", "acceptance_rate", "mean_accepted_length", "draft_ms",
                          "verify_ms", "c", "predicted_speedup", "greedy_decode_ms"})
      EXPECT_TRUE(sp[k].is_number()) << k << " in " << sp.dump();
    EXPECT_GE(sp["rounds"].get<int64_t>(), 1);
    EXPECT_GE(sp["acceptance_rate"].get<double>(), 0.0);
    EXPECT_LE(sp["acceptance_rate"].get<double>(), 1.0);
    EXPECT_EQ(sp["gamma"], 3);
    const int64_t k = r["decoder"]["k_tokens"];
    EXPECT_EQ(r["selection"]["kept_visual"].get<int64_t>(), std::min(k, r["selection"]["visual_tokens"].get<int64_t>()));
    if (k == 100000) EXPECT_DOUBLE_EQ(sp["acceptance_rate"].get<double>(), 1.0) << "every token kept: every draft accepted";
  }
  for (const auto& r : rows) EXPECT_EQ(r["response"], greedy_response[r["sample_id"]]);

  // A rerun finds nothing left; the report keeps caption rows out of accuracy and lists them per decoder.
  ASSERT_EQ(run(eval_cmd(config, out)), 0);
  EXPECT_EQ(read_results_jsonl(out / "results.jsonl").size(), rows.size());
  ASSERT_EQ(run(std::string(PEVLM_BIN) + " report " + out.string()), 0) << read_file(log_path());
  const nlohmann::json report = nlohmann::json::parse(read_file(out / "report.json"));
  EXPECT_TRUE(report["table1"]["rows"].empty()) << report["table1"].dump();
  EXPECT_EQ(report["decoders"]["rows"].size(), 7u);
  EXPECT_NE(read_file(out / "report.md").find("## Decoders and open-ended generation"), std::string::npos);
}

TEST(DecoderEvalE2E, UnknownDecodersAndKeysAreErrorsListingTheValidOnes) {
  const Fixture& f = fixture();
  const auto before = fs::exists(log_path()) ? fs::file_size(log_path()) : 0;
  EXPECT_NE(run(eval_cmd(f.config("bad_name", "{name: beam}"), f.dir / "bad_name")), 0);
  EXPECT_NE(run(eval_cmd(f.config("bad_key", "{name: std, draft_k: 3}"), f.dir / "bad_key")), 0);
  const std::string log = read_file(log_path()).substr(before);
  EXPECT_NE(log.find("valid decoders: greedy, std"), std::string::npos) << log;
  EXPECT_NE(log.find("valid parameters: k_tokens, gamma, verify"), std::string::npos) << log;
}

}  // namespace
}  // namespace pevlm
