// Synthetic LongVideoBench generator: real schema (every field of the reference), valid answers that
// match the drawn pixels, subtitles in both schemas, duration groups, determinism, size, the CLI.
#include "datasets/synthetic/synthetic_lvb.h"
#include "datasets/video/video_reader.h"
#include "tests/video_test_util.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <map>
#include <set>

namespace pevlm::synthetic {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

json load(const fs::path& p) {
  std::ifstream in(p);
  return json::parse(in);
}

// The 17 question categories of /work/shared/reference/longvideobench.md.
const std::set<std::string> kCategories = {"S2E", "S2O", "S2A", "E2O", "O2E", "T2E", "T2O", "T2A", "E3E",
                                           "O3O", "SSS", "SOS", "SAA", "T3E", "T3O", "TOS", "TAA"};

// Parses "HH:MM:SS.fff".
double hms(const std::string& s) {
  return std::stoi(s.substr(0, 2)) * 3600.0 + std::stoi(s.substr(3, 2)) * 60.0 + std::stod(s.substr(6));
}

class SyntheticLvbTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<video::testing::TempDir>("pevlm_synthetic_test");
    const auto t0 = std::chrono::steady_clock::now();
    summary_ = make_synthetic_lvb(dir_->file("a"), 8, 0);  // the CLI default
    seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  static void TearDownTestSuite() { dir_.reset(); }
  static fs::path root() { return dir_->path / "a"; }

  static std::unique_ptr<video::testing::TempDir> dir_;
  static SyntheticLvbSummary summary_;
  static double seconds_;
};
std::unique_ptr<video::testing::TempDir> SyntheticLvbTest::dir_;
SyntheticLvbSummary SyntheticLvbTest::summary_;
double SyntheticLvbTest::seconds_ = 0;

TEST_F(SyntheticLvbTest, EveryEntryHasEveryFieldOfTheRealSchema) {
  const json entries = load(root() / "lvb_val.json");
  ASSERT_TRUE(entries.is_array());
  ASSERT_EQ(entries.size(), static_cast<size_t>(summary_.questions));
  std::set<std::string> ids;
  for (const json& e : entries) {
    SCOPED_TRACE(e.dump());
    EXPECT_TRUE(e.at("video_id").is_string());
    EXPECT_TRUE(e.at("question").is_string());
    EXPECT_TRUE(e.at("question_wo_referring_query").is_string());
    ASSERT_TRUE(e.at("candidates").is_array());
    const size_t n = e["candidates"].size();
    EXPECT_TRUE(n == 4 || n == 5);
    EXPECT_EQ(e["candidates"].get<std::set<std::string>>().size(), n) << "duplicate candidates";
    ASSERT_TRUE(e.at("correct_choice").is_number_integer());
    EXPECT_GE(e["correct_choice"].get<int>(), 0);
    EXPECT_LT(e["correct_choice"].get<int>(), static_cast<int>(n));
    ASSERT_TRUE(e.at("position").is_array());
    for (const json& p : e["position"]) EXPECT_TRUE(p.is_number_integer());
    EXPECT_TRUE(e.at("topic_category").is_string());
    EXPECT_EQ(kCategories.count(e.at("question_category").get<std::string>()), 1u);
    const std::string level = e.at("level").get<std::string>();
    EXPECT_TRUE(level == "L1-Perception" || level == "L2-Relation");
    const std::string vid = e["video_id"];
    EXPECT_EQ(e.at("id").get<std::string>().rfind(vid + "_", 0), 0u);
    EXPECT_TRUE(ids.insert(e["id"]).second) << "duplicate id";
    EXPECT_EQ(e.at("video_path"), vid + ".mp4");
    EXPECT_EQ(e.at("subtitle_path"), vid + "_en.json");
    EXPECT_TRUE(fs::exists(root() / "videos" / e["video_path"].get<std::string>()));
    EXPECT_TRUE(fs::exists(root() / "subtitles" / e["subtitle_path"].get<std::string>()));
    EXPECT_TRUE(e.at("starting_timestamp_for_subtitles").is_number());
    EXPECT_TRUE(e.at("duration").is_number_float());
    EXPECT_TRUE(e.at("view_count").is_number_integer());
    EXPECT_EQ(e.size(), 16u) << "fields beyond the reference schema";
  }
}

// The reference groups: 15 -> 8-15 s, 60 -> 15-60 s, 600 -> 180-600 s, 3600 -> 900-3600 s.
TEST_F(SyntheticLvbTest, DurationsCoverAllFourGroups) {
  std::map<int, int> per_group;
  for (const json& e : load(root() / "lvb_val.json")) {
    const int g = e.at("duration_group");
    const double d = e.at("duration");
    const std::map<int, std::pair<double, double>> range = {{15, {8, 15}}, {60, {15, 60}}, {600, {180, 600}}, {3600, {900, 3600}}};
    ASSERT_EQ(range.count(g), 1u) << g;
    EXPECT_GE(d, range.at(g).first);
    EXPECT_LE(d, range.at(g).second);
    const auto info = video::probe((root() / "videos" / e["video_path"].get<std::string>()).string());
    EXPECT_NEAR(info.duration_s, d, 1e-6);
    if (g >= 600) EXPECT_LE(info.fps, 2.0);
    ++per_group[g];
  }
  EXPECT_EQ(per_group.size(), 4u);
}

// Default dataset stays small and quick (DESIGN.md: demo and tests generate it on the fly).
TEST_F(SyntheticLvbTest, DefaultDatasetIsSmall) {
  uint64_t bytes = 0;
  for (const auto& f : fs::recursive_directory_iterator(root()))
    if (f.is_regular_file()) bytes += f.file_size();
  EXPECT_LT(bytes, 5u << 20) << bytes << " bytes";
  EXPECT_EQ(summary_.video_ids.size(), 8u);
  RecordProperty("generation_seconds", std::to_string(seconds_));
  std::cout << "[ synthetic ] 8 videos, " << bytes << " bytes, " << seconds_ << " s, codec " << summary_.codec << "\n";
}

// Subtitles alternate between the two schemas; times minus starting_timestamp_for_subtitles fall inside
// the video, and the line the T2O question quotes is on screen while the asked-for digit is drawn.
TEST_F(SyntheticLvbTest, SubtitlesUseBothSchemasAndLineUpWithTheContent) {
  std::set<std::string> schemas;
  int null_ends = 0, offsets = 0;
  for (int i = 0; i < 8; ++i) {
    const SyntheticVideoPlan p = plan_synthetic_video(0, i);
    const json subs = load(root() / "subtitles" / (p.video_id + "_en.json"));
    ASSERT_TRUE(subs.is_array());
    ASSERT_FALSE(subs.empty());
    bool quoted_line_seen = false;
    for (const json& s : subs) {
      double start, end;
      std::string text;
      if (s.contains("timestamp")) {
        schemas.insert("timestamp");
        start = s["timestamp"][0];
        // null = the duration, from which the reference loader subtracts the offset too.
        null_ends += s["timestamp"][1].is_null();
        end = s["timestamp"][1].is_null() ? static_cast<double>(p.seconds) : s["timestamp"][1].get<double>();
        text = s.at("text");
      } else {
        schemas.insert("start/end");
        start = hms(s.at("start"));
        end = hms(s.at("end"));
        text = s.at("line");
      }
      start -= p.subtitle_offset_s;
      end -= p.subtitle_offset_s;
      EXPECT_GE(start, 0.0);
      EXPECT_LE(end, p.seconds + 1e-9);
      EXPECT_LT(start, end);
      if (text == "Remember the number shown now.") {
        quoted_line_seen = true;
        const QuestionPlan& q = p.questions[2];
        EXPECT_EQ(q.question_category, "T2O");
        EXPECT_EQ(q.candidates[q.correct_choice], std::to_string(p.content[static_cast<int>(start)].digit));
      }
    }
    EXPECT_TRUE(quoted_line_seen) << p.video_id;
    offsets += p.subtitle_offset_s != 0;
  }
  EXPECT_EQ(schemas.size(), 2u);
  EXPECT_GT(null_ends, 0) << "no subtitle ends with null";
  EXPECT_GT(offsets, 0) << "no video has starting_timestamp_for_subtitles != 0";
}

// End to end: decode the frame each answer points at and check the correct candidate is what is drawn.
TEST_F(SyntheticLvbTest, CorrectChoicesAreWhatTheFramesShow) {
  std::map<std::string, std::array<uint8_t, 3>> colour_of;
  for (const auto& c : palette()) colour_of[c.name] = c.rgb;
  int checked = 0;
  for (const json& e : load(root() / "lvb_val.json")) {
    if (e["question_category"] != "S2A") continue;  // background-colour questions
    const std::string path = (root() / "videos" / e["video_path"].get<std::string>()).string();
    const int second = e["position"][0];
    const auto f = video::decode_at_timestamps(path, {second + 0.5});
    const auto pp = probe_points(f.width, f.height);
    const std::string answer = e["candidates"][e["correct_choice"].get<int>()];
    EXPECT_LE(video::testing::max_channel_diff(f.pixel(0, pp.bg_x, pp.bg_y), colour_of.at(answer)), 12)
        << e["id"] << ": " << e["question"] << " -> " << answer;
    ++checked;
  }
  EXPECT_EQ(checked, 16);  // two per video
}

TEST_F(SyntheticLvbTest, MostFrequentShapeIsUniqueAndIsTheAnswer) {
  for (int i = 0; i < 8; ++i) {
    const SyntheticVideoPlan p = plan_synthetic_video(0, i);
    std::vector<int> count(shape_names().size(), 0);
    for (const auto& c : p.content) ++count[c.shape];
    const QuestionPlan& q = p.questions[1];
    const std::string answer = q.candidates[q.correct_choice];
    const int best = static_cast<int>(std::find(shape_names().begin(), shape_names().end(), answer) - shape_names().begin());
    for (size_t k = 0; k < count.size(); ++k)
      if (static_cast<int>(k) != best) EXPECT_LT(count[k], count[best]) << p.video_id << " " << shape_names()[k];
  }
}

TEST_F(SyntheticLvbTest, SameSeedSameBytesOtherSeedOtherDataset) {
  make_synthetic_lvb(dir_->file("b"), 2, 0);
  make_synthetic_lvb(dir_->file("c"), 2, 1);
  const json a = load(root() / "lvb_val.json");
  const json b = load(dir_->path / "b" / "lvb_val.json");
  const json c = load(dir_->path / "c" / "lvb_val.json");
  // The first 2 videos of an 8-video dataset equal a 2-video dataset with the same seed.
  ASSERT_GE(a.size(), b.size());
  for (size_t k = 0; k < b.size(); ++k) EXPECT_EQ(a[k], b[k]);
  EXPECT_NE(b[0]["video_id"], c[0]["video_id"]);
  const std::string v = summary_.video_ids[0] + ".mp4";
  EXPECT_EQ(video::testing::read_bytes((root() / "videos" / v).string()),
            video::testing::read_bytes((dir_->path / "b" / "videos" / v).string()));
}

TEST_F(SyntheticLvbTest, InfoFileRecordsTheEncoder) {
  const json info = load(root() / "synthetic_info.json");
  EXPECT_EQ(info.at("codec"), summary_.codec);
  EXPECT_TRUE(summary_.codec == "libx264" || summary_.codec == "mpeg4");
  EXPECT_EQ(info.at("videos").size(), 8u);
  EXPECT_EQ(info.at("seed"), 0);
}

}  // namespace
}  // namespace pevlm::synthetic
