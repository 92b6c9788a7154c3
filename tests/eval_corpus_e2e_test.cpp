// `pevlm eval` over a LongVideoBench-format dataset whose videos are the real-world corpus
// (scripts/make_video_corpus.sh: odd sizes, 4K, 10-bit, HEVC/VP9/AV1/MPEG-4/MJPEG, rotation, VFR,
// streamed files, truncated/empty/text/corrupt files), embedding cache off: the run exits 0 with one
// row per (sample, method); decodable videos get answers, the others an error naming the file.
// Also: a results folder on a file-size limit (RLIMIT_FSIZE) and an unwritable output folder give a
// clear error, results.jsonl never holds a partial row, and the run resumes afterwards.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "harness/eval/results_store.h"

namespace fs = std::filesystem;

namespace pevlm {
namespace {

// Runs a shell command, appending its output to `log`; returns the exit status.
int run(const std::string& cmd, const fs::path& log) {
  const int rc = std::system((cmd + " >>" + log.string() + " 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct CorpusDataset {
  fs::path dir, config, log;
  std::map<std::string, std::string> expect;  // sample id -> "decode" | "error"
  std::map<std::string, int> rotation;        // sample id -> display rotation
  std::map<std::string, std::string> file;    // sample id -> video file name
};

// One question per corpus video, in the real lvb_val.json schema.
CorpusDataset make_dataset() {
  CorpusDataset d;
  d.dir = fs::temp_directory_path() / ("pevlm_corpus_e2e_" + std::to_string(::getpid()));
  fs::remove_all(d.dir);
  fs::create_directories(d.dir / "lvb" / "subtitles");
  d.log = d.dir / "log.txt";
  EXPECT_EQ(run(std::string(PEVLM_SOURCE_DIR) + "/scripts/make_video_corpus.sh " + (d.dir / "lvb" / "videos").string(), d.log), 0)
      << slurp(d.log);
  std::ifstream manifest(d.dir / "lvb" / "videos" / "manifest.tsv");
  nlohmann::json rows = nlohmann::json::array();
  std::string line;
  while (std::getline(manifest, line)) {
    std::stringstream ss(line);
    std::string file, expect, rot;
    std::getline(ss, file, '\t');
    std::getline(ss, expect, '\t');
    std::getline(ss, rot, '\t');
    std::string video_id = file;  // unique per file (w3x5.avi and w3x5.mkv share a stem)
    std::replace(video_id.begin(), video_id.end(), '.', '_');
    const std::string id = video_id + "_0";
    d.expect[id] = expect;
    d.rotation[id] = std::stoi(rot);
    d.file[id] = file;
    std::ofstream(d.dir / "lvb" / "subtitles" / (video_id + "_en.json")) << "[]";
    rows.push_back({{"video_id", video_id}, {"question", "What is shown?"},
                    {"question_wo_referring_query", "What is shown?"}, {"candidates", {"a pattern", "a cat", "a car", "a tree"}},
                    {"correct_choice", 0}, {"position", {1}}, {"topic_category", "corpus"}, {"question_category", "S2O"},
                    {"level", "L1-Perception"}, {"id", id}, {"video_path", file},
                    {"subtitle_path", video_id + "_en.json"}, {"duration_group", 15},
                    {"starting_timestamp_for_subtitles", 0}, {"duration", 2.0}, {"view_count", 1}});
  }
  std::ofstream(d.dir / "lvb" / "lvb_val.json") << rows.dump(1);
  EXPECT_EQ(run(std::string(PEVLM_BIN) + " make-tiny-model " + (d.dir / "model").string() + " --seed 1", d.log), 0);
  d.config = d.dir / "eval.yaml";
  std::ofstream(d.config) << "model: " << (d.dir / "model").string() << "\n"
                          << "dataset: {root: " << (d.dir / "lvb").string() << ", split: val}\n"
                          << "protocol: {name: lmms_val_v, max_num_frames: 4, min_pixels: 3136, max_pixels: 6272}\n"
                          << "dtype: fp32\nthreads: 1\nembedding_cache: {enabled: false}\n"
                          << "methods: [{name: full}, {name: pevlm, sink_frames: 1, block_frames: 1}]\n";
  return d;
}

// Built once for both tests (the corpus takes ~20 s to encode); removed at exit.
const CorpusDataset& dataset() {
  static const CorpusDataset d = make_dataset();
  static const struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{d.dir};
  return d;
}

std::string eval_cmd(const CorpusDataset& d, const fs::path& out) {
  return std::string(PEVLM_BIN) + " eval --config " + d.config.string() + " --out " + out.string();
}

TEST(EvalCorpusE2E, EveryCorpusVideoGetsAnAnswerOrAnErrorNamingTheFile) {
  const CorpusDataset& d = dataset();
  ASSERT_GE(d.expect.size(), 25u);
  ASSERT_EQ(run(eval_cmd(d, d.dir / "out"), d.log), 0) << slurp(d.log);
  const auto rows = read_results_jsonl(d.dir / "out" / "results.jsonl");
  EXPECT_EQ(rows.size(), 2 * d.expect.size());
  std::map<std::string, int> per_sample;
  for (const auto& r : rows) {
    const std::string id = r["sample_id"];
    ++per_sample[id];
    SCOPED_TRACE(id + " (" + d.file.at(id) + ")");
    // A 1-frame video decodes, but the protocol rejects it as qwen-vl-utils does (smart_nframes needs
    // at least 2 frames): an error row naming the file, like the broken files.
    const bool protocol_rejects = d.file.at(id) == "single_frame.mp4";
    if (d.expect.at(id) == "decode" && !protocol_rejects) {
      ASSERT_TRUE(r["error"].is_null()) << r["error"];
      EXPECT_TRUE(r["predicted"].is_string());
      EXPECT_EQ(r.value("rotation_deg", -1), d.rotation.at(id));
      EXPECT_EQ(r.value("rotation_applied", true), false);  // the reference loaders ignore the display matrix
    } else {
      ASSERT_TRUE(r["error"].is_string());
      EXPECT_NE(r["error"].get<std::string>().find(d.file.at(id)), std::string::npos) << r["error"];
    }
  }
  for (const auto& [id, n] : per_sample) EXPECT_EQ(n, 2) << id;
}

TEST(EvalCorpusE2E, FileSizeLimitAndUnwritableFolderLeaveNoPartialRow) {
  const CorpusDataset& d = dataset();
  const fs::path out = d.dir / "limited";
  // A few rows fit under 24 KB (a row is ~3-5 KB with its provenance); `ulimit -f` counts 512-byte blocks.
  // The limit binds the log too: a fresh one.
  const fs::path limited_log = d.dir / "limited_log.txt";
  const int rc = run("(ulimit -f 48; " + eval_cmd(d, out) + ")", limited_log);
  EXPECT_NE(rc, 0);
  const std::string log = slurp(limited_log);
  EXPECT_NE(log.find("File too large"), std::string::npos) << log;
  EXPECT_NE(log.find((out / "results.jsonl").string()), std::string::npos);
  const std::string text = slurp(out / "results.jsonl");
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n') << "a partial row was left behind";
  std::string torn;
  const size_t before = read_results_jsonl(out / "results.jsonl", &torn).size();
  EXPECT_TRUE(torn.empty());
  EXPECT_GE(before, 1u);
  // Resumed without the limit: the run completes with every row exactly once.
  ASSERT_EQ(run(eval_cmd(d, out), d.log), 0);
  std::map<std::string, int> seen;
  for (const auto& r : read_results_jsonl(out / "results.jsonl")) EXPECT_EQ(++seen[r["key"].get<std::string>()], 1);
  EXPECT_EQ(seen.size(), 2 * d.expect.size());
  // An output folder that cannot be created (its parent is a file): a clear error naming it.
  std::ofstream(d.dir / "a_file") << "x";
  const fs::path bad = d.dir / "a_file" / "out";
  EXPECT_NE(run(eval_cmd(d, bad), d.log), 0);
  EXPECT_NE(slurp(d.log).find((d.dir / "a_file").string()), std::string::npos);
}

}  // namespace
}  // namespace pevlm
