// The dataset interface on each benchmark's synthetic set (pevlm make-synthetic-dataset formats): every
// loader, wrong / missing fields (errors naming file, line and field), missing videos and subtitles
// (recorded on the sample, never thrown), the registry's errors, and each protocol's exact prompt text.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "datasets/longvideobench/lvb_benchmark.h"
#include "datasets/lvbench/lvbench.h"
#include "datasets/mlvu/mlvu.h"
#include "datasets/registry/registry.h"
#include "datasets/synthetic/synthetic_formats.h"
#include "datasets/videomme/annotations.h"
#include "datasets/videomme/videomme.h"

namespace fs = std::filesystem;

namespace pevlm::datasets {
namespace {

// Folders this process made, removed at exit.
struct TempDirs {
  std::vector<fs::path> dirs;
  ~TempDirs() {
    std::error_code ec;
    for (const auto& d : dirs) fs::remove_all(d, ec);
  }
};
TempDirs& temp_dirs() {
  static TempDirs t;
  return t;
}

fs::path synthetic(const std::string& format, int videos) {
  const fs::path dir = fs::temp_directory_path() / ("pevlm_ds_" + format + "_" + std::to_string(::getpid()));
  static std::map<std::string, bool> made;
  if (!made[format]) {
    fs::remove_all(dir);
    temp_dirs().dirs.push_back(dir);
    synthetic::make_synthetic_dataset(format, dir.string(), videos, 7);
    made[format] = true;
  }
  return dir;
}

fs::path copy_of(const fs::path& src, const std::string& name) {
  const fs::path dst = fs::temp_directory_path() / ("pevlm_ds_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dst);
  temp_dirs().dirs.push_back(dst);
  fs::copy(src, dst, fs::copy_options::recursive);
  return dst;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

DatasetSpec spec(const std::string& benchmark, const fs::path& root, nlohmann::json protocol = nlohmann::json::object()) {
  DatasetSpec s;
  s.benchmark = benchmark;
  s.root = root;
  s.protocol = std::move(protocol);
  return s;
}

TEST(DatasetRegistry, UnknownNamesAndMissingFilesSayWhatWasExpected) {
  EXPECT_NE(error_of([] { benchmark_info("mvbench"); }).find("valid: longvideobench, videomme, mlvu, lvbench"), std::string::npos);
  const std::string no_root = error_of([] { open_benchmark(spec("videomme", "/nonexistent/vmme")); });
  EXPECT_NE(no_root.find("is not a folder"), std::string::npos) << no_root;
  EXPECT_NE(no_root.find("videomme.jsonl"), std::string::npos) << no_root;
  const fs::path empty = fs::temp_directory_path() / ("pevlm_ds_empty_" + std::to_string(::getpid()));
  fs::create_directories(empty);
  temp_dirs().dirs.push_back(empty);
  for (const char* b : {"videomme", "mlvu", "lvbench", "longvideobench"}) {
    const std::string e = error_of([&] { open_benchmark(spec(b, empty)); });
    EXPECT_NE(e.find(empty.string()), std::string::npos) << b << ": " << e;
  }
  EXPECT_NE(error_of([] { videomme::make_protocol("offical"); }).find("valid: official, official_sub, lmms, lmms_sub"),
            std::string::npos);
  EXPECT_NE(error_of([] { videomme::make_protocol("official", {{"max_frame", 3}}); }).find("valid keys"), std::string::npos);
  EXPECT_NE(error_of([] { videomme::make_protocol("official", {{"subtitles", "all"}}); }).find("sampled_frames"), std::string::npos);
  EXPECT_NE(error_of([] { videomme::make_protocol("official", {{"extractor", "nope"}}); }).find("lmms_mcq"), std::string::npos);
}

TEST(VideoMme, LoadsTheSyntheticSet) {
  const fs::path root = synthetic("videomme", 3);
  const auto b = open_benchmark(spec("videomme", root, {{"name", "official"}}));
  const auto& s = b->samples();
  ASSERT_EQ(s.size(), 9u);  // 3 questions per video
  EXPECT_EQ(s[0].id, "001-1");
  EXPECT_EQ(s[0].video_id, s[2].video_id);
  EXPECT_NE(s[0].video_id, s[3].video_id);
  EXPECT_EQ(s[0].duration_group, "short");
  EXPECT_EQ(s[0].options.size(), 4u);
  ASSERT_TRUE(s[0].answer.has_value());
  EXPECT_EQ(s[0].categories.at("domain"), std::vector<std::string>{"Knowledge"});
  EXPECT_TRUE(fs::exists(s[0].video_file));
  EXPECT_EQ(s[0].video_path, "data/" + s[0].video_id + ".mp4");
  for (const auto& x : s) EXPECT_EQ(x.error, "") << x.id;
  EXPECT_FALSE(s[0].subtitle_missing);
  EXPECT_TRUE(s[6].subtitle_missing);  // every third synthetic video has no .srt, as in the release
  EXPECT_EQ(b->sample_problem(s[6]), "");
  EXPECT_EQ(b->metrics().size(), 5u);
}

TEST(VideoMme, PromptsOfEachProtocol) {
  Sample s;
  s.id = "001-1";
  s.question = "What colour is the background?";
  s.options = {"red", "green", "blue", "black"};
  s.categories = {{"domain", {"Knowledge"}}, {"sub_category", {"Astronomy"}}, {"task_type", {"OCR Problems"}}};
  const std::string q = "What colour is the background?\nA. red\nB. green\nC. blue\nD. black\n";
  EXPECT_EQ(videomme::question_text(videomme::make_protocol("official"), s, {}, true),
            std::string(videomme::kOfficialInstruction) + "\n" + q + "The best answer is:");
  EXPECT_EQ(videomme::question_text(videomme::make_protocol("official_sub"), s, {"hi", "there"}, true),
            "This video's subtitles are listed below:\nhi\nthere\n" + std::string(videomme::kOfficialInstruction) + "\n" + q +
                "The best answer is:");
  EXPECT_EQ(videomme::question_text(videomme::make_protocol("lmms"), s, {}, true),
            std::string(videomme::kLmmsInstruction) + "\n" + q + "\nAnswer the question with A, B, C, or D.");
  EXPECT_EQ(videomme::question_text(videomme::make_protocol("lmms_sub"), s, {"hi"}, true),
            "This video's subtitles are listed below: \nhi\n" + std::string(videomme::kLmmsInstruction) + "\n" + q +
                "The best answer is:");
  EXPECT_EQ(videomme::question_text(videomme::make_protocol("lmms_sub"), s, {}, false),
            "This video's subtitles are listed below: \nNo subtitles available\n" + std::string(videomme::kLmmsInstruction) +
                "\n" + q + "The best answer is:");
}

TEST(VideoMme, SubtitlesFollowTheSampledFrames) {
  const fs::path root = synthetic("videomme", 3);
  const auto sixteen = open_benchmark(spec("videomme", root, {{"name", "official_sub"}, {"sampler", "uniform"}, {"max_num_frames", 16}}));
  const auto four = open_benchmark(spec("videomme", root, {{"name", "official_sub"}, {"sampler", "uniform"}, {"max_num_frames", 4}}));
  const Sample& s = sixteen->samples()[0];
  // The first synthetic video's first cue is 8.1-8.9 s: 16 frames over 60 (4 fps) sample 8.75 s, 4 frames do not.
  const lvb::PromptPlan a = sixteen->plan(s, lvb::VideoProbe{4.0, 60, 15.0});
  const lvb::PromptPlan b = four->plan(s, lvb::VideoProbe{4.0, 60, 15.0});
  EXPECT_EQ(b.frame_indices, (std::vector<int64_t>{0, 19, 39, 59}));
  EXPECT_EQ(b.frame_timestamps, (std::vector<double>{0.0, 4.75, 9.75, 14.75}));
  EXPECT_EQ(a.question_text.rfind("This video's subtitles are listed below:\n", 0), 0u) << a.question_text;
  EXPECT_NE(a.question_text.find("Remember the number shown now."), std::string::npos) << a.question_text;
  EXPECT_EQ(b.question_text.find("Remember the number shown now."), std::string::npos) << b.question_text;
  EXPECT_GT(a.subtitle_lines, b.subtitle_lines);
  EXPECT_EQ(a.question_text.find("<font"), std::string::npos);
}

TEST(VideoMme, WrongOrMissingFieldsNameFileLineAndField) {
  const fs::path root = copy_of(synthetic("videomme", 3), "vmme_bad");
  const std::string good = read(root / "videomme.jsonl");
  const std::string first = good.substr(0, good.find('\n'));
  auto with_first = [&](const std::string& line) {
    std::ofstream(root / "videomme.jsonl") << line << "\n" << good.substr(good.find('\n') + 1);
    return error_of([&] { videomme::load_annotations(root); });
  };
  nlohmann::json e = nlohmann::json::parse(first);
  auto broken = [&](auto edit) {
    nlohmann::json x = e;
    edit(x);
    return with_first(x.dump());
  };
  std::string m = broken([](nlohmann::json& x) { x.erase("answer"); });
  EXPECT_NE(m.find("videomme.jsonl:1"), std::string::npos) << m;
  EXPECT_NE(m.find("\"answer\""), std::string::npos) << m;
  m = broken([](nlohmann::json& x) { x["options"].erase(3); });
  EXPECT_NE(m.find("expected 4 options"), std::string::npos) << m;
  m = broken([](nlohmann::json& x) { x["options"][1] = "B) green"; });
  EXPECT_NE(m.find("must start with \"B. \""), std::string::npos) << m;
  m = broken([](nlohmann::json& x) { x["duration"] = "huge"; });
  EXPECT_NE(m.find("short, medium or long"), std::string::npos) << m;
  m = broken([](nlohmann::json& x) { x["answer"] = "E"; });
  EXPECT_NE(m.find("A-D"), std::string::npos) << m;
  m = with_first("{not json");
  EXPECT_NE(m.find("videomme.jsonl:1: not valid JSON"), std::string::npos) << m;
}

TEST(VideoMme, MissingVideosAreRecordedNotThrown) {
  const fs::path root = copy_of(synthetic("videomme", 3), "vmme_missing");
  const auto before = videomme::load_annotations(root);
  fs::remove(before[3].video_file);
  fs::remove(root / "subtitle" / (before[0].video_id + ".srt"));
  const auto b = open_benchmark(spec("videomme", root, {{"name", "official_sub"}}));
  const auto& s = b->samples();
  EXPECT_NE(b->sample_problem(s[3]).find("video file not found"), std::string::npos);
  EXPECT_EQ(b->sample_problem(s[0]), "");  // no .srt: "No subtitles available", as lmms-eval
  EXPECT_TRUE(s[0].subtitle_missing);
}

TEST(Mlvu, LoadsTheSyntheticSetAndBuildsBothPrompts) {
  const fs::path root = synthetic("mlvu", 8);
  const auto b = open_benchmark(spec("mlvu", root, {{"name", "lmms"}}));
  const auto& s = b->samples();
  ASSERT_EQ(s.size(), 32u);  // 4 questions per video
  EXPECT_EQ(s[0].categories.at("task"), std::vector<std::string>{"plotQA"});
  EXPECT_EQ(s[0].id, "plotQA_0");
  EXPECT_EQ(s[0].video_path, "video/1_plotQA/" + fs::path(s[0].video_file).filename().string());
  for (const auto& x : s) EXPECT_EQ(x.error, "") << x.id;
  EXPECT_EQ(b->metrics()[0].name, "M-Avg");
  EXPECT_EQ(b->metrics()[0].kind, "macro_mean");
  Sample q;
  q.question = "How many?";
  q.options = {"one", "two"};
  EXPECT_EQ(mlvu::question_text(mlvu::make_protocol("official"), q),
            "Question: How many?\nOptions:\n(A) one\n(B) two\nOnly give the best option.");
  EXPECT_EQ(mlvu::question_text(mlvu::make_protocol("lmms"), q), "\nHow many?\n(A) one\n(B) two\nOnly give the best option.\n\nBest option: (");
  EXPECT_EQ(mlvu::make_protocol("official").assistant_prefix, "Best Option: (");
  EXPECT_EQ(mlvu::make_protocol("official").system_prompt, mlvu::kSystemPrompt);
}

TEST(Mlvu, WrongFieldsAndMissingFiles) {
  const fs::path root = copy_of(synthetic("mlvu", 8), "mlvu_bad");
  nlohmann::json doc = nlohmann::json::parse(read(root / "json" / "1_plotQA.json"));
  nlohmann::json bad = doc;
  bad[0]["answer"] = "no such candidate";
  std::ofstream(root / "json" / "1_plotQA.json") << bad.dump();
  std::string m = error_of([&] { mlvu::load_dev(root); });
  EXPECT_NE(m.find("1_plotQA.json: entry 0"), std::string::npos) << m;
  EXPECT_NE(m.find("not one of the candidates"), std::string::npos) << m;
  bad = doc;
  bad[0]["question_type"] = "needle";
  std::ofstream(root / "json" / "1_plotQA.json") << bad.dump();
  EXPECT_NE(error_of([&] { mlvu::load_dev(root); }).find("expected \"plotQA\""), std::string::npos);
  std::ofstream(root / "json" / "1_plotQA.json") << doc.dump();
  fs::remove(root / "json" / "5_order.json");
  m = error_of([&] { mlvu::load_dev(root); });
  EXPECT_NE(m.find("expected " + (root / "json" / "5_order.json").string()), std::string::npos) << m;
}

TEST(LvBench, LoadsTheSyntheticSetWithMultiLabelCategories) {
  const fs::path root = synthetic("lvbench", 2);
  const auto b = open_benchmark(spec("lvbench", root, {{"name", "lmms"}}));
  const auto& s = b->samples();
  ASSERT_EQ(s.size(), 8u);
  EXPECT_EQ(s[0].id, "0");
  EXPECT_EQ(s[0].categories.at("category"), (std::vector<std::string>{"KIR", "EU"}));  // uid 0: two labels
  EXPECT_EQ(s[1].categories.at("category"), std::vector<std::string>{"EU"});
  EXPECT_EQ(s[0].options.size(), 4u);
  const lvb::PromptPlan plan = b->plan(s[0], lvb::VideoProbe{4.0, 40, 10.0});
  const std::string tail = "\nAnswer the question with the option letter.";
  EXPECT_EQ(plan.question_text.substr(plan.question_text.size() - tail.size()), tail);
  EXPECT_NE(plan.question_text.find("\n(A) "), std::string::npos);
  std::string stem;
  std::vector<std::string> options;
  lvbench::split_question("Q?\n(A) x\n(B) y y\n(C) z", stem, options);
  EXPECT_EQ(stem, "Q?");
  EXPECT_EQ(options, (std::vector<std::string>{"x", "y y", "z"}));
  EXPECT_THROW(lvbench::split_question("Q?\n(A) x\n(C) z", stem, options), std::invalid_argument);
}

TEST(LvBench, WrongFieldsNameTheLine) {
  const fs::path root = copy_of(synthetic("lvbench", 2), "lvbench_bad");
  const std::string good = read(root / "video_info.meta.jsonl");
  nlohmann::json line = nlohmann::json::parse(good.substr(0, good.find('\n')));
  line["qa"][1]["question_type"] = {"vibes"};
  std::ofstream(root / "video_info.meta.jsonl") << line.dump() << "\n";
  const std::string m = error_of([&] { lvbench::load_annotations(root); });
  EXPECT_NE(m.find("video_info.meta.jsonl:1"), std::string::npos) << m;
  EXPECT_NE(m.find("unknown category \"vibes\"; valid: key information retrieval"), std::string::npos) << m;
  line["qa"][1]["question_type"] = {"reasoning"};
  line["qa"][1].erase("time_reference");
  std::ofstream(root / "video_info.meta.jsonl") << line.dump() << "\n";
  EXPECT_NE(error_of([&] { lvbench::load_annotations(root); }).find("time_reference"), std::string::npos);
}

TEST(LongVideoBenchAdapter, KeepsTheNativeFieldsAndProtocol) {
  const fs::path root = synthetic("lvb", 2);
  const auto b = open_benchmark(spec("longvideobench", root, {{"name", "lmms_val_v"}, {"max_num_frames", 8}}));
  EXPECT_EQ(b->protocol_json(), lvb::check_protocol_json({{"name", "lmms_val_v"}, {"max_num_frames", 8}}));
  const Sample& s = b->samples()[0];
  EXPECT_EQ(b->row_fields(s)["duration_group"], 15);
  EXPECT_EQ(b->answer_rule().unparsed, answers::UnparsedPolicy::SeededRandom);
  EXPECT_TRUE(b->score(s, "I cannot tell").fallback == "random");
  EXPECT_NE(error_of([&] { open_benchmark(spec("longvideobench", root, {{"name", "lmms_val_v"}})); }), "x");
  DatasetSpec bad = spec("longvideobench", root);
  bad.split = "train";
  EXPECT_NE(error_of([&] { open_benchmark(bad); }).find("valid: val, test"), std::string::npos);
}

TEST(OtherBenchmarks, UnparsedAnswersScoreWrongAndAreCounted) {
  const auto b = open_benchmark(spec("videomme", synthetic("videomme", 3), {{"name", "official"}}));
  const Sample& s = b->samples()[0];
  const answers::ScoredAnswer none = b->score(s, "I cannot tell from this video at all, sorry, really not sure here");
  EXPECT_FALSE(none.parsed);
  EXPECT_EQ(none.fallback, "none");
  EXPECT_EQ(none.correct, std::optional<bool>(false));
  const answers::ScoredAnswer right = b->score(s, std::string("The best answer is ") + *s.answer);
  EXPECT_TRUE(right.parsed);
  EXPECT_EQ(right.correct, std::optional<bool>(true));
}

}  // namespace
}  // namespace pevlm::datasets

namespace pevlm::datasets {
namespace {

// The lmms-eval prompts, against lmms-eval's doc_to_text functions re-stated in
// scripts/golden/make_prompt_golden.py (tests/data/datasets/prompt_golden.json).
TEST(Prompts, LmmsEvalTextsMatchTheReferenceGolden) {
  std::ifstream in(std::string(PEVLM_SOURCE_DIR) + "/tests/data/datasets/prompt_golden.json");
  ASSERT_TRUE(in);
  const nlohmann::json golden = nlohmann::json::parse(in);
  int n = 0;
  for (const auto& c : golden.at("cases")) {
    Sample s;
    s.question = c.at("question");
    s.options = c.at("options").get<std::vector<std::string>>();
    const std::string bench = c.at("benchmark"), name = c.at("protocol");
    std::string text;
    if (bench == "videomme")
      text = videomme::question_text(videomme::make_protocol(name), s, c.at("subtitles").get<std::vector<std::string>>(),
                                     c.at("available").get<bool>());
    else if (bench == "mlvu")
      text = mlvu::question_text(mlvu::make_protocol(name), s);
    else
      text = lvbench::question_text(lvbench::make_protocol(name), c.at("raw_question").get<std::string>());
    EXPECT_EQ(text, c.at("text").get<std::string>()) << bench << " " << name << " case " << n;
    ++n;
  }
  EXPECT_EQ(n, 12);
}

}  // namespace
}  // namespace pevlm::datasets
