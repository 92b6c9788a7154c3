// `pevlm eval` with decoders end to end on the tiny model and synthetic LongVideoBench videos: the
// caption protocol with PEVLM prefill, greedy + StD (sweeps over K and the verify mode) writes rows
// with the speculative metrics and lossless = true; greedy rows keep the method's key and label;
// a rerun resumes (nothing left); `pevlm report` keeps caption rows out of the accuracy tables and
// lists them per decoder; a bad decoder is an error naming the valid ones. The draft-model decoders
// (vanilla speculative, ParallelVLM with alpha / gamma sweeps and both pipelines) with a `--size small`
// draft write lossless rows with idle times and the parallel timing model; a draft whose special ids
// differ is a row error naming both folders.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
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
    // The draft of the draft-model decoders: the same tokenizer, a smaller size, other random weights.
    EXPECT_EQ(run(std::string(PEVLM_BIN) + " make-tiny-model " + (x.dir / "draft").string() + " --seed 2 --dtype f32 --size small"),
              0);
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
  EXPECT_NE(log.find("valid decoders: greedy, std, speculative, parallelvlm"), std::string::npos) << log;
  EXPECT_NE(log.find("valid parameters: k_tokens, gamma, verify"), std::string::npos) << log;
}

TEST(DecoderEvalE2E, CaptionWithPevlmAndDraftModelDecodersWritesLosslessRowsWithMetrics) {
  const Fixture& f = fixture();
  const std::string draft = (f.dir / "draft").string();
  const fs::path config = f.config(
      "draft", "[{name: greedy}, {name: speculative, draft_model: " + draft + ", gamma: [2, 4]}, {name: parallelvlm, draft_model: " +
                   draft + ", alpha: [0.5, 0.9], gamma: [auto, 3]}, {name: parallelvlm, draft_model: " + draft +
                   ", gamma: 3, pipeline: sequential}]");
  const fs::path out = f.dir / "draft_run";
  ASSERT_EQ(run(eval_cmd(config, out)), 0) << read_file(log_path());
  const auto rows = read_results_jsonl(out / "results.jsonl");
  ASSERT_EQ(rows.size(), 2u * 8u);  // 2 samples x (greedy + 2 speculative + 4 + 1 parallelvlm)
  std::map<std::string, std::string> greedy_response;
  for (const auto& r : rows)
    if (r["decoder"]["name"] == "greedy") greedy_response[r["sample_id"]] = r["response"];
  for (const auto& r : rows) {
    ASSERT_TRUE(r["error"].is_null()) << r["error"];
    EXPECT_EQ(r["response"], greedy_response[r["sample_id"]]) << r["label"];
    if (r["decoder"]["name"] == "greedy") continue;
    const auto& sp = r["speculative"];
    EXPECT_TRUE(r["lossless"].get<bool>()) << r["label"];
    EXPECT_EQ(r["greedy_generated_tokens"], r["generated_tokens"]);
    for (const char* k : {"decode_tokens_per_s", "speedup_vs_greedy", "acceptance_rate", "mean_accepted_length", "draft_ms",
                          "verify_ms", "c", "predicted_speedup", "target_idle_ms", "draft_idle_ms", "draft_prefill_ms"})
      EXPECT_TRUE(sp[k].is_number()) << k << " in " << sp.dump();
    EXPECT_GE(sp["rounds"].get<int64_t>(), 1);
    EXPECT_EQ(r["selection"]["draft_model"], draft);
    const bool parallel = r["decoder"]["name"] == "parallelvlm";
    EXPECT_EQ(sp["parallel"].get<bool>(), parallel);
    if (!parallel) {
      EXPECT_EQ(r["selection"]["kept_visual"], r["selection"]["visual_tokens"]);  // vanilla: the draft sees every token
      continue;
    }
    for (const char* k : {"predicted_speedup_parallel", "modelled_pipeline_ms", "parallel_windows", "parallel_used"})
      EXPECT_TRUE(sp[k].is_number()) << k << " in " << sp.dump();
    const double alpha = r["decoder"]["alpha"];
    const int64_t visual = r["selection"]["visual_tokens"];
    EXPECT_EQ(r["selection"]["kept_visual"].get<int64_t>(), std::llround((1.0 - alpha) * double(visual)));
    EXPECT_EQ(sp["gamma_auto"].get<bool>(), r["decoder"]["gamma"] == "auto");
  }
  ASSERT_EQ(run(std::string(PEVLM_BIN) + " report " + out.string()), 0) << read_file(log_path());
  const std::string md = read_file(out / "report.md");
  EXPECT_NE(md.find("target idle ms"), std::string::npos);
  EXPECT_NE(md.find("parallelvlm(draft_model="), std::string::npos);
}

TEST(DecoderEvalE2E, ADraftWithAnotherTokenizerIsAnErrorNamingBothFolders) {
  const Fixture& f = fixture();
  // A copy of the draft whose config gives <|video_pad|> another id: it cannot build the target's prompts.
  const fs::path other = f.dir / "draft_other";
  fs::remove_all(other);
  fs::copy(f.dir / "draft", other, fs::copy_options::recursive);
  nlohmann::json cfg = nlohmann::json::parse(read_file(other / "config.json"));
  cfg["video_token_id"] = cfg["image_token_id"];
  std::ofstream(other / "config.json") << cfg.dump(2);
  const fs::path out = f.dir / "draft_other_run";
  ASSERT_EQ(run(eval_cmd(f.config("draft_other", "{name: speculative, draft_model: " + other.string() + "}"), out)), 0);
  const auto rows = read_results_jsonl(out / "results.jsonl");
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& r : rows) {
    const std::string error = r["error"].is_string() ? r["error"].get<std::string>() : "";
    EXPECT_NE(error.find("draft model " + other.string() + " cannot draft for " + (f.dir / "model").string()), std::string::npos)
        << error;
    EXPECT_NE(error.find("video_token_id"), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace pevlm
