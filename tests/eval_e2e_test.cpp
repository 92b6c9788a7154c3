// End-to-end tests of the pevlm CLI on a generated tiny model and synthetic LongVideoBench data:
// a truncated and a missing video become per-sample error rows while other samples finish; an
// eval killed with SIGKILL mid-run and resumed gives the same result set with no duplicate rows;
// two shards merged equal a single run; `pevlm generate` answers on a real mp4.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "harness/eval/results_store.h"

namespace fs = std::filesystem;

namespace pevlm {
namespace {

int run(const std::string& cmd) {
  const int rc = std::system((cmd + " >>" + (fs::temp_directory_path() / "pevlm_e2e.log").string() + " 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

struct Fixture {
  fs::path dir, config;
};

// Tiny model + 3 synthetic videos (12 questions) + a config with two methods, in a fresh folder.
Fixture make_fixture(const std::string& name) {
  Fixture f;
  f.dir = fs::temp_directory_path() / ("pevlm_e2e_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(f.dir);
  fs::create_directories(f.dir);
  EXPECT_EQ(run(std::string(PEVLM_BIN) + " make-tiny-model " + (f.dir / "model").string() + " --seed 3"), 0);
  EXPECT_EQ(run(std::string(PEVLM_BIN) + " make-synthetic-lvb " + (f.dir / "lvb").string() + " --videos 3 --seed 5"), 0);
  f.config = f.dir / "eval.yaml";
  std::ofstream(f.config) << "model: " << (f.dir / "model").string() << "\n"
                          << "dataset: {root: " << (f.dir / "lvb").string() << ", split: val}\n"
                          << "protocol: {name: lmms_val_v, max_num_frames: 8, min_pixels: 3136, max_pixels: 6272}\n"
                          << "dtype: fp32\nthreads: 1\n"
                          << "methods: [{name: full}, {name: pevlm, sink_frames: 1, block_frames: 1}]\n";
  return f;
}

std::string eval_cmd(const Fixture& f, const fs::path& out, const std::string& extra = "") {
  return std::string(PEVLM_BIN) + " eval --config " + f.config.string() + " --out " + out.string() + " " + extra;
}

// key -> (predicted, has error), checking that no key repeats.
std::map<std::string, std::pair<std::string, bool>> outcome(const fs::path& results) {
  std::map<std::string, std::pair<std::string, bool>> m;
  for (const auto& r : read_results_jsonl(results)) {
    const std::string key = r["key"];
    EXPECT_EQ(m.count(key), 0u) << "duplicate row " << key;
    m[key] = {r.value("predicted", nlohmann::json()).is_string() ? r["predicted"].get<std::string>() : "",
              !r.value("error", nlohmann::json()).is_null()};
  }
  return m;
}

std::vector<std::string> video_files(const Fixture& f) {
  std::vector<std::string> v;
  for (const auto& e : fs::directory_iterator(f.dir / "lvb" / "videos")) v.push_back(e.path().string());
  std::sort(v.begin(), v.end());
  return v;
}

TEST(EvalE2E, BadVideosAreRecordedAndKillResumeLosesNothing) {
  Fixture f = make_fixture("resume");
  const auto videos = video_files(f);
  ASSERT_GE(videos.size(), 3u);
  fs::resize_file(videos[0], fs::file_size(videos[0]) / 3);  // truncated
  fs::remove(videos[1]);                                      // missing
  ASSERT_EQ(run(eval_cmd(f, f.dir / "clean")), 0);
  const auto clean = outcome(f.dir / "clean" / "results.jsonl");
  ASSERT_EQ(clean.size(), 24u);  // 12 questions x 2 methods
  int errors = 0;
  for (const auto& r : read_results_jsonl(f.dir / "clean" / "results.jsonl")) {
    if (r["error"].is_null()) continue;
    ++errors;
    const std::string e = r["error"];
    EXPECT_TRUE(e.find(fs::path(videos[0]).filename().string()) != std::string::npos ||
                e.find(fs::path(videos[1]).filename().string()) != std::string::npos)
        << e;
  }
  EXPECT_EQ(errors, 16);  // the two bad videos' 4 questions x 2 methods; the third video's 8 rows succeed

  // Kill mid-run, leave a torn line as a write cut short would, then resume.
  const fs::path killed = f.dir / "killed";
  const pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", ("exec env PEVLM_EVAL_ROW_DELAY_MS=150 " + eval_cmd(f, killed) + " >/dev/null 2>&1").c_str(),
          nullptr);
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    if (fs::exists(killed / "results.jsonl") && read_results_jsonl(killed / "results.jsonl").size() >= 5) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGKILL);  // `exec` made the shell the eval process itself
  waitpid(pid, nullptr, 0);
  const size_t before = read_results_jsonl(killed / "results.jsonl").size();
  std::ofstream(killed / "results.jsonl", std::ios::app) << R"({"key": "torn|row", "sample)";
  ASSERT_EQ(run(eval_cmd(f, killed)), 0);
  const auto resumed = outcome(killed / "results.jsonl");
  EXPECT_GE(before, 5u);
  EXPECT_LT(before, 24u) << "the kill landed after the run finished";
  EXPECT_EQ(resumed, clean);
}

TEST(EvalE2E, ShardsMergedEqualSingleRun) {
  Fixture f = make_fixture("shards");
  ASSERT_EQ(run(eval_cmd(f, f.dir / "single", "--limit 6")), 0);
  ASSERT_EQ(run(eval_cmd(f, f.dir / "s0", "--shard 0/2 --limit 3")), 0);
  ASSERT_EQ(run(eval_cmd(f, f.dir / "s1", "--shard 1/2 --limit 3")), 0);
  ASSERT_EQ(run(std::string(PEVLM_BIN) + " merge " + (f.dir / "merged").string() + " " + (f.dir / "s0").string() + " " +
                (f.dir / "s1").string()),
            0);
  EXPECT_EQ(outcome(f.dir / "merged" / "results.jsonl"), outcome(f.dir / "single" / "results.jsonl"));
  // Merging a shard twice is a duplicate error.
  EXPECT_NE(run(std::string(PEVLM_BIN) + " merge " + (f.dir / "dup").string() + " " + (f.dir / "s0").string() + " " +
                (f.dir / "s0").string()),
            0);
}

TEST(EvalE2E, ShardsByVideoKeepEachVideoWholeAndMergeIntoTheSingleRun) {
  // --shard-by video: every question of a video in one shard (prefix reuse serves all of them); merged
  // shards equal a single run; run.json records the cut, so by-sample shards never merge with them.
  Fixture f = make_fixture("shard_by_video");
  ASSERT_EQ(run(eval_cmd(f, f.dir / "single")), 0);
  ASSERT_EQ(run(eval_cmd(f, f.dir / "v0", "--shard 0/2 --shard-by video")), 0);
  ASSERT_EQ(run(eval_cmd(f, f.dir / "v1", "--shard 1/2 --shard-by video")), 0);
  ASSERT_EQ(run(eval_cmd(f, f.dir / "s1", "--shard 1/2")), 0);
  std::map<std::string, std::set<std::string>> videos_of;  // shard -> videos
  int reused = 0;
  for (const char* shard : {"v0", "v1"})
    for (const auto& r : read_results_jsonl(f.dir / shard / "results.jsonl")) {
      videos_of[shard].insert(r["video_id"].get<std::string>());
      reused += r["prefix_reuse"]["reused"].get<bool>();
    }
  EXPECT_EQ(videos_of["v0"].size(), 2u);  // videos 0 and 2
  EXPECT_EQ(videos_of["v1"].size(), 1u);
  EXPECT_EQ(reused, 3 * 3 * 2);           // 3 of each video's 4 questions, 2 methods
  ASSERT_EQ(run(std::string(PEVLM_BIN) + " merge " + (f.dir / "merged").string() + " " + (f.dir / "v0").string() + " " +
                (f.dir / "v1").string()),
            0);
  EXPECT_EQ(outcome(f.dir / "merged" / "results.jsonl"), outcome(f.dir / "single" / "results.jsonl"));
  EXPECT_NE(run(std::string(PEVLM_BIN) + " merge " + (f.dir / "mixed").string() + " " + (f.dir / "v0").string() + " " +
                (f.dir / "s1").string()),
            0);
  EXPECT_NE(run(eval_cmd(f, f.dir / "v0", "--shard 0/2")), 0) << "resuming a by-video shard by sample";
}

TEST(EvalE2E, FramesCacheRunsWithoutTheVideosAndGivesTheSameAnswers) {
  // Decode once into a frames cache (as on a machine with FFmpeg), then evaluate with the videos gone
  // (as on a GPU node without FFmpeg): same predictions, rows say the frames came from the cache.
  Fixture f = make_fixture("frames");
  const fs::path cache = f.dir / "frames_cache";
  ASSERT_EQ(run(eval_cmd(f, f.dir / "direct", "--limit 4")), 0);
  ASSERT_EQ(run(eval_cmd(f, f.dir / "unused", "--limit 4 --frames-cache " + cache.string() + " --decode-only")), 0);
  EXPECT_FALSE(fs::exists(f.dir / "unused" / "results.jsonl")) << "--decode-only writes no rows";
  ASSERT_GE(std::distance(fs::directory_iterator(cache), fs::directory_iterator{}), 1);  // one per video, shared by its questions
  fs::remove_all(f.dir / "lvb" / "videos");
  ASSERT_EQ(run(eval_cmd(f, f.dir / "cached", "--limit 4 --frames-cache " + cache.string())), 0);
  EXPECT_EQ(outcome(f.dir / "cached" / "results.jsonl"), outcome(f.dir / "direct" / "results.jsonl"));
  for (const auto& r : read_results_jsonl(f.dir / "cached" / "results.jsonl")) {
    EXPECT_TRUE(r["error"].is_null()) << r["error"];
    EXPECT_EQ(r.value("frames_from_cache", false), true);
    EXPECT_EQ(r["device_name"], "cpu");
    EXPECT_TRUE(r.contains("memory") && r["memory"].contains("peak_host_mib"));
    // The answer fields the report counts (issue 24): parsed or flagged seeded fallback, and the video cluster.
    EXPECT_TRUE(r["video_id"].is_string() && !r["video_id"].get<std::string>().empty());
    EXPECT_EQ(r["answer_extractor"], "lmms_longvideobench");
    EXPECT_EQ(r["answer_parsed"], !r["fallback"].get<bool>());
    EXPECT_EQ(r["answer_fallback"], r["fallback"].get<bool>() ? nlohmann::json("random") : nlohmann::json(nullptr));
  }
  // Without the cache, the missing videos are per-sample errors naming the file.
  ASSERT_EQ(run(eval_cmd(f, f.dir / "nocache", "--limit 2")), 0);
  for (const auto& r : read_results_jsonl(f.dir / "nocache" / "results.jsonl"))
    EXPECT_NE(r["error"].get<std::string>().find("video file not found"), std::string::npos);
  // A check that must not pass with error rows asks for a failing exit status (exit 3); none here -> 0.
  EXPECT_EQ(run(eval_cmd(f, f.dir / "nocache_strict", "--limit 1 --fail-on-errors")), 3);
  EXPECT_EQ(run(eval_cmd(f, f.dir / "cached_strict", "--limit 1 --fail-on-errors --frames-cache " + cache.string())), 0);
}

TEST(EvalE2E, PrefixReuseGivesTheAnswersOfPerQuestionPrefillAndResumesMidVideo) {
  // Issue 24 item 7: the questions of a video share one prefix prefill per method; the rows equal those of
  // --no-prefix-reuse and record what was reused. A run stopped after 2 of a video's 4 questions resumes
  // with the others (their prefix prefilled anew) and ends with the same rows.
  Fixture f = make_fixture("prefix");
  ASSERT_EQ(run(eval_cmd(f, f.dir / "whole", "--no-prefix-reuse --limit 8")), 0);
  ASSERT_EQ(run(eval_cmd(f, f.dir / "reuse", "--limit 8")), 0);
  ASSERT_EQ(run(eval_cmd(f, f.dir / "resumed", "--limit 2")), 0);
  ASSERT_EQ(run(eval_cmd(f, f.dir / "resumed", "--limit 8")), 0);
  const auto whole = outcome(f.dir / "whole" / "results.jsonl");
  ASSERT_EQ(whole.size(), 16u);  // 2 videos x 4 questions x 2 methods
  EXPECT_EQ(outcome(f.dir / "reuse" / "results.jsonl"), whole);
  EXPECT_EQ(outcome(f.dir / "resumed" / "results.jsonl"), whole);
  std::map<std::string, std::string> response;
  for (const auto& r : read_results_jsonl(f.dir / "whole" / "results.jsonl")) {
    response[r["key"]] = r["response"];
    EXPECT_FALSE(r["prefix_reuse"]["reused"].get<bool>());
    EXPECT_NE(r["prefix_reuse"]["reason"].get<std::string>().find("disabled"), std::string::npos);
  }
  int reused = 0;
  for (const auto& r : read_results_jsonl(f.dir / "reuse" / "results.jsonl")) {
    EXPECT_EQ(r["response"], response[r["key"]]) << r["key"];
    const auto& p = r["prefix_reuse"];
    reused += p["reused"].get<bool>();
    EXPECT_GT(p["prefix_tokens"].get<int64_t>(), 0);
    EXPECT_EQ(p["prefix_tokens"].get<int64_t>() + p["suffix_tokens"].get<int64_t>(), r["tokens"]["total"].get<int64_t>())
        << r.dump();
    EXPECT_EQ(r["frame_timestamps"].size(), r["frame_indices"].size());
  }
  EXPECT_EQ(reused, 12);  // 3 of each video's 4 questions, per method
  int resumed_reused = 0;
  for (const auto& r : read_results_jsonl(f.dir / "resumed" / "results.jsonl"))
    resumed_reused += r["prefix_reuse"]["reused"].get<bool>();
  EXPECT_EQ(resumed_reused, 2 + 2 + 6);  // first run: 1 of 2 per method; resume: video 1's last 2 reuse 1, video 2's 4 reuse 3

  // A video with more questions than a group holds (8, bounding the embeddings kept at once): 12 questions
  // of one video are two groups, each prefilling the prefix once per method.
  nlohmann::json entries = nlohmann::json::parse(std::ifstream(f.dir / "lvb" / "lvb_val.json"));
  nlohmann::json many = nlohmann::json::array();
  for (int copy = 0; copy < 3; ++copy)
    for (const auto& e : entries)
      if (e["video_id"] == entries[0]["video_id"]) {
        nlohmann::json c = e;
        c["id"] = e["id"].get<std::string>() + "_copy" + std::to_string(copy);
        many.push_back(c);
      }
  ASSERT_EQ(many.size(), 12u);
  fs::create_directories(f.dir / "many");
  for (const char* sub : {"videos", "subtitles"}) fs::create_directory_symlink(f.dir / "lvb" / sub, f.dir / "many" / sub);
  std::ofstream(f.dir / "many" / "lvb_val.json") << many.dump();
  std::ofstream(f.dir / "many.yaml") << "model: " << (f.dir / "model").string() << "\n"
                                     << "dataset: {root: " << (f.dir / "many").string() << ", split: val}\n"
                                     << "protocol: {name: lmms_val_v, max_num_frames: 8, min_pixels: 3136, max_pixels: 6272}\n"
                                     << "dtype: fp32\nthreads: 1\nmethods: [{name: pevlm, sink_frames: 1, block_frames: 1}]\n";
  ASSERT_EQ(run(std::string(PEVLM_BIN) + " eval --config " + (f.dir / "many.yaml").string() + " --out " + (f.dir / "many_out").string()),
            0);
  int many_reused = 0, many_rows = 0;
  for (const auto& r : read_results_jsonl(f.dir / "many_out" / "results.jsonl")) {
    ++many_rows;
    many_reused += r["prefix_reuse"]["reused"].get<bool>();
    EXPECT_TRUE(r["error"].is_null()) << r.dump();
  }
  EXPECT_EQ(many_rows, 12);
  EXPECT_EQ(many_reused, 7 + 3);
}

TEST(EvalE2E, DeviceFlagIsCheckedAgainstTheBuildAndTheExecutor) {
  Fixture f = make_fixture("device");
  const fs::path log = fs::temp_directory_path() / "pevlm_e2e.log";
  const auto log_size = [&] { return fs::exists(log) ? fs::file_size(log) : 0; };
  auto tail_from = [&](uintmax_t from) {
    std::ifstream in(log);
    in.seekg(std::streamoff(from));
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  uintmax_t at = log_size();
  EXPECT_NE(run(eval_cmd(f, f.dir / "cuda", "--device cuda")), 0);
  EXPECT_NE(tail_from(at).find("CPU-only build"), std::string::npos) << tail_from(at);
  at = log_size();
  EXPECT_NE(run(eval_cmd(f, f.dir / "conflict", "--set executor=cuda")), 0);
  EXPECT_NE(tail_from(at).find("executor 'cuda' runs on cuda only"), std::string::npos) << tail_from(at);
  ASSERT_EQ(run(eval_cmd(f, f.dir / "cpu", "--device cpu --limit 1 --set executor=batched")), 0);
  for (const auto& r : read_results_jsonl(f.dir / "cpu" / "results.jsonl")) {
    EXPECT_EQ(r["model"]["executor"], "batched");
    EXPECT_EQ(r["device_name"], "cpu");
  }
}

TEST(EvalE2E, GenerateAnswersOnARealVideo) {
  Fixture f = make_fixture("generate");
  const fs::path out = f.dir / "generate.txt";
  ASSERT_EQ(std::system((std::string(PEVLM_BIN) + " generate --model " + (f.dir / "model").string() + " --video " +
                         video_files(f)[0] + " --question 'What colour is the background?' --method pevlm --set sink_frames=1" +
                         " --set block_frames=1 --frames 8 --max-pixels 6272 --dtype fp32 > " + out.string() + " 2>&1")
                            .c_str()),
            0);
  std::ifstream in(out);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("answer:"), std::string::npos) << text;
  EXPECT_NE(text.find("\"num_blocks\":3"), std::string::npos) << text;  // 4 grid steps: sink 1 + 3 blocks of 1
  EXPECT_NE(text.find("prefill attention"), std::string::npos) << text;

  // --frames-cache (as eval's): decoded once, then answered with the video gone (a GPU node without
  // FFmpeg): the same frames and answer, and the output says where the frames came from.
  const fs::path cache = f.dir / "generate_cache";
  const std::string video = video_files(f)[0];
  const auto generate = [&](const fs::path& to) {
    return std::system((std::string(PEVLM_BIN) + " generate --model " + (f.dir / "model").string() + " --video " + video +
                        " --question 'What colour is the background?' --frames 8 --max-pixels 6272 --dtype fp32 --frames-cache " +
                        cache.string() + " > " + to.string() + " 2>&1")
                           .c_str());
  };
  const auto read = [](const fs::path& p) {
    std::ifstream in(p);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  const auto line = [](const std::string& text, const std::string& prefix) {
    const size_t at = text.find(prefix);
    return at == std::string::npos ? std::string() : text.substr(at, text.find('\n', at) - at);
  };
  ASSERT_EQ(generate(f.dir / "decoded.txt"), 0) << read(f.dir / "decoded.txt");
  fs::remove(video);
  ASSERT_EQ(generate(f.dir / "cached.txt"), 0) << read(f.dir / "cached.txt");
  const std::string decoded = read(f.dir / "decoded.txt"), cached = read(f.dir / "cached.txt");
  EXPECT_NE(cached.find("frames from the cache"), std::string::npos) << cached;
  EXPECT_EQ(line(cached, "answer:"), line(decoded, "answer:"));
  EXPECT_EQ(line(cached, "frame indices:"), line(decoded, "frame indices:"));
}

}  // namespace
}  // namespace pevlm
