// Results store: durable appends, torn last line dropped on resume, settings mismatch refused,
// merge detects duplicates and mismatched settings.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "harness/eval/results_store.h"

namespace pevlm {
namespace {

std::filesystem::path fresh_dir(const std::string& name) {
  auto d = std::filesystem::temp_directory_path() / ("pevlm_results_test_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  return d;
}

nlohmann::json row(const std::string& key) { return {{"key", key}, {"correct", true}}; }

TEST(ResultsStore, AppendResumeAndTornLine) {
  const auto dir = fresh_dir("torn");
  const nlohmann::json settings = {{"model", "m"}, {"protocol", {{"name", "lmms_val_v"}}}};
  {
    ResultsStore store(dir, settings, true);
    store.append(row("a|full"));
    store.append(row("b|full"));
    EXPECT_THROW(store.append(row("a|full")), std::logic_error);
  }
  {  // a kill in the middle of a write leaves an incomplete last line
    std::ofstream out(dir / "results.jsonl", std::ios::app);
    out << R"({"key": "c|full", "corr)";
  }
  std::string torn;
  EXPECT_EQ(read_results_jsonl(dir / "results.jsonl", &torn).size(), 2u);
  EXPECT_FALSE(torn.empty());
  {
    ResultsStore store(dir, settings, true);
    EXPECT_TRUE(store.done("a|full"));
    EXPECT_FALSE(store.done("c|full"));
    store.append(row("c|full"));
  }
  torn.clear();
  const auto rows = read_results_jsonl(dir / "results.jsonl", &torn);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_TRUE(torn.empty());
  EXPECT_EQ(rows[2]["key"], "c|full");
  // Different settings cannot resume into the same folder; no-resume refuses existing results.
  EXPECT_THROW(ResultsStore(dir, nlohmann::json{{"model", "other"}, {"protocol", {{"name", "lmms_val_v"}}}}, true),
               std::invalid_argument);
  EXPECT_THROW(ResultsStore(dir, settings, false), std::invalid_argument);
}

TEST(ResultsStore, CorruptMiddleLineIsAnError) {
  const auto dir = fresh_dir("corrupt");
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "results.jsonl") << R"({"key":"a"})" << "\nnot json\n" << R"({"key":"b"})" << "\n";
  try {
    read_results_jsonl(dir / "results.jsonl");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("results.jsonl:2"), std::string::npos) << e.what();
  }
}

TEST(ResultsStore, MergeShards) {
  const auto a = fresh_dir("shard0"), b = fresh_dir("shard1"), out = fresh_dir("merged"), bad = fresh_dir("bad");
  const nlohmann::json settings = {{"model", "m"}};
  {
    ResultsStore s0(a, settings, true), s1(b, settings, true);
    s0.append(row("x|full"));
    s1.append(row("y|full"));
  }
  merge_results(out, {a, b});
  EXPECT_EQ(read_results_jsonl(out / "results.jsonl").size(), 2u);
  {
    ResultsStore dup(bad, settings, true);
    dup.append(row("x|full"));
  }
  EXPECT_THROW(merge_results(fresh_dir("merged2"), {a, bad}), std::invalid_argument);  // duplicate key
  const auto other = fresh_dir("other");
  {
    ResultsStore o(other, nlohmann::json{{"model", "different"}}, true);
    o.append(row("z|full"));
  }
  EXPECT_THROW(merge_results(fresh_dir("merged3"), {a, other}), std::invalid_argument);  // settings differ
}

}  // namespace
}  // namespace pevlm
