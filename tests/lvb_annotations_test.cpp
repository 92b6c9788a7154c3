// LongVideoBench annotation loading and validation (datasets/longvideobench/annotations.h).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "datasets/longvideobench/annotations.h"

namespace lvb = pevlm::lvb;
using nlohmann::json;

namespace {

const std::filesystem::path kRoot = std::filesystem::path(PEVLM_SOURCE_DIR) / "tests/data/lvb/root";

// The real entry of the reference doc, as a JSON object to mutate in error tests.
json real_entry() {
  std::ifstream in(kRoot / "lvb_val.json");
  return json::parse(in).at(0);
}

// Expects parse_annotations([entry]) to throw a message containing every needle.
void expect_error(const json& doc, bool require_answers, const std::vector<std::string>& needles) {
  try {
    lvb::parse_annotations(doc, "lvb_val.json", require_answers, "/data/lvb");
    FAIL() << "no error for " << doc.dump().substr(0, 200);
  } catch (const std::runtime_error& e) {
    for (const auto& n : needles) EXPECT_NE(std::string(e.what()).find(n), std::string::npos) << e.what() << " lacks " << n;
  }
}

std::filesystem::path temp_root(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("pevlm_lvb_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "videos");
  std::filesystem::create_directories(dir / "subtitles");
  return dir;
}

}  // namespace

TEST(LvbAnnotations, ParsesTheRealReferenceEntry) {
  auto samples = lvb::load_annotations(kRoot, lvb::kValFile);
  ASSERT_EQ(samples.size(), 1u);
  const lvb::Sample& s = samples[0];
  EXPECT_EQ(s.id, "_EUDpS9UF9o_0");
  EXPECT_EQ(s.video_id, "_EUDpS9UF9o");
  EXPECT_EQ(s.question.substr(0, 55), "In the scene, there's a person cutting a green onion wi");
  EXPECT_EQ(s.question_wo_referring_query, "What other objects are present in the scene?");
  ASSERT_EQ(s.candidates.size(), 4u);
  EXPECT_EQ(s.candidates[0], "On the table, there's also a silver bowl containing a tomato and a pumpkin.");
  EXPECT_EQ(s.candidates[3], "Watch");
  ASSERT_TRUE(s.correct_choice.has_value());
  EXPECT_EQ(*s.correct_choice, 0);
  EXPECT_EQ(s.correct_letter(), 'A');
  EXPECT_EQ(s.position, std::vector<int64_t>{20});
  EXPECT_EQ(s.topic_category, "LC-Lifestyle-Cooking-Recipes");
  EXPECT_EQ(s.question_category, "T2O");
  EXPECT_EQ(s.level, "L1-Perception");
  EXPECT_EQ(s.video_path, "_EUDpS9UF9o.mp4");
  EXPECT_EQ(s.subtitle_path, "_EUDpS9UF9o_en.json");
  EXPECT_EQ(s.duration_group, 15);
  EXPECT_DOUBLE_EQ(s.starting_timestamp_for_subtitles, 1267.0);
  EXPECT_DOUBLE_EQ(s.duration, 9.0);
  EXPECT_EQ(s.view_count, 1629269);
  EXPECT_EQ(s.video_file, kRoot / "videos" / "_EUDpS9UF9o.mp4");
  EXPECT_EQ(s.subtitle_file, kRoot / "subtitles" / "_EUDpS9UF9o_en.json");
  // The fixture ships subtitles but no video: recorded, not thrown.
  EXPECT_TRUE(s.video_missing);
  EXPECT_FALSE(s.subtitle_missing);
  EXPECT_EQ(s.error, "video file not found: " + (kRoot / "videos" / "_EUDpS9UF9o.mp4").string());
}

TEST(LvbAnnotations, TestSplitHasNoAnswers) {
  auto samples = lvb::load_annotations(kRoot, lvb::kTestFile);
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_FALSE(samples[0].correct_choice.has_value());
  EXPECT_FALSE(samples[0].correct_letter().has_value());
  EXPECT_TRUE(samples[0].position.empty());
  // Forcing answers on the test file names the missing field.
  lvb::LoadOptions opts;
  opts.require_answers = true;
  try {
    lvb::load_annotations(kRoot, lvb::kTestFile, opts);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("lvb_test_wo_gt.json: entry 0 (id \"_EUDpS9UF9o_0\"): field \"correct_choice\": missing field"), std::string::npos) << e.what();
  }
}

TEST(LvbAnnotations, MediaFilesPresentOrMissing) {
  auto root = temp_root("media");
  json doc = json::array({real_entry(), real_entry()});
  doc[1]["id"] = "_EUDpS9UF9o_1";
  doc[1]["video_path"] = "other.mp4";
  doc[1]["subtitle_path"] = "other_en.json";
  std::ofstream(root / "lvb_val.json") << doc.dump();
  std::ofstream(root / "videos" / "_EUDpS9UF9o.mp4") << "x";
  std::ofstream(root / "subtitles" / "_EUDpS9UF9o_en.json") << "[]";
  auto samples = lvb::load_annotations(root, lvb::kValFile);
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0].error, "");
  EXPECT_FALSE(samples[0].video_missing);
  EXPECT_TRUE(samples[1].video_missing);
  EXPECT_TRUE(samples[1].subtitle_missing);
  EXPECT_EQ(samples[1].error, "video file not found: " + (root / "videos/other.mp4").string() +
                                  "; subtitle file not found: " + (root / "subtitles/other_en.json").string());
  // check_files = false leaves everything unchecked.
  lvb::LoadOptions opts;
  opts.check_files = false;
  EXPECT_EQ(lvb::load_annotations(root, lvb::kValFile, opts)[1].error, "");
  std::filesystem::remove_all(root);
}

TEST(LvbAnnotations, EveryRequiredFieldMissingIsNamed) {
  for (const char* field : {"video_id", "question", "question_wo_referring_query", "candidates",
                            "correct_choice", "position", "topic_category", "question_category", "level",
                            "id", "video_path", "subtitle_path", "duration_group",
                            "starting_timestamp_for_subtitles", "duration", "view_count"}) {
    json e = real_entry();
    e.erase(field);
    const std::string entry = std::string(field) == "id" ? "entry 0:" : "entry 0 (id \"_EUDpS9UF9o_0\")";
    expect_error(json::array({e}), true, {"lvb_val.json", entry, std::string("field \"") + field + "\"", "missing field"});
  }
}

TEST(LvbAnnotations, WrongTypesAreNamed) {
  struct Case { const char* field; json value; const char* expected; };
  const std::vector<Case> cases = {
      {"video_id", 5, "expected a string"},
      {"question", nullptr, "expected a string"},
      {"candidates", "Oven", "expected a list of strings"},
      {"candidates", json::array({"a", 3, "c", "d"}), "element 1: expected a string"},
      {"correct_choice", "0", "expected an integer"},
      {"correct_choice", 0.5, "expected an integer"},
      {"correct_choice", true, "expected an integer"},
      {"position", json::array({"20"}), "element 0: expected an integer"},
      {"duration_group", 15.5, "expected an integer"},
      {"starting_timestamp_for_subtitles", "1267", "expected a number"},
      {"duration", json::array(), "expected a number"},
      {"view_count", 1.5, "expected an integer"},
      {"level", 1, "expected a string"},
  };
  for (const auto& c : cases) {
    json e = real_entry();
    e[c.field] = c.value;
    expect_error(json::array({e}), true, {"entry 0 (id \"_EUDpS9UF9o_0\")", std::string("field \"") + c.field + "\"", c.expected});
  }
}

TEST(LvbAnnotations, ValuesOutOfRange) {
  struct Case { const char* field; json value; const char* expected; };
  const std::vector<Case> cases = {
      {"correct_choice", 4, "expected an index in [0, 4)"},
      {"correct_choice", -1, "expected an index in [0, 4)"},
      {"candidates", json::array({"only"}), "expected 2 to 5 options"},
      {"candidates", json::array({"a", "b", "c", "d", "e", "f"}), "expected 2 to 5 options"},
      {"duration_group", 30, "expected one of 15, 60, 600, 3600"},
      {"question_category", "XYZ", "unknown category \"XYZ\"; valid: S2E, S2O"},
      {"duration", 0.0, "expected a positive number of seconds"},
      {"id", "", "expected a non-empty string"},
      {"video_path", "", "expected a non-empty file name"},
  };
  for (const auto& c : cases) {
    json e = real_entry();
    e[c.field] = c.value;
    expect_error(json::array({e}), true, {std::string("field \"") + c.field + "\"", c.expected});
  }
}

TEST(LvbAnnotations, StructuralErrors) {
  expect_error(json::object(), true, {"lvb_val.json", "expected a JSON array"});
  expect_error(json::array({real_entry(), 7}), true, {"entry 1", "expected an object"});
  json a = real_entry(), b = real_entry();
  b["video_id"] = "other";
  expect_error(json::array({a, b}), true, {"entry 1 (id \"_EUDpS9UF9o_0\")", "field \"id\"", "duplicate id, first used by entry 0"});
  // Answer fields present in a test-split file are still validated.
  json t = real_entry();
  t["correct_choice"] = 9;
  expect_error(json::array({t}), false, {"field \"correct_choice\"", "expected an index in [0, 4)"});
}

TEST(LvbAnnotations, FileErrorsNameThePath) {
  auto root = temp_root("files");
  try {
    lvb::load_annotations(root, lvb::kValFile);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find((root / "lvb_val.json").string() + ": cannot open"), std::string::npos);
  }
  std::ofstream(root / "lvb_val.json") << "[{\"id\": ";
  try {
    lvb::load_annotations(root, lvb::kValFile);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("lvb_val.json: invalid JSON"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(root);
}

TEST(LvbAnnotations, SampleToJsonRoundTripsTheRealEntry) {
  auto samples = lvb::load_annotations(kRoot, lvb::kValFile);
  EXPECT_EQ(lvb::sample_to_json(samples[0]), real_entry());
  auto test = lvb::load_annotations(kRoot, lvb::kTestFile);
  json expected = real_entry();
  expected.erase("correct_choice");
  expected.erase("position");
  EXPECT_EQ(lvb::sample_to_json(test[0]), expected);
}

TEST(LvbAnnotations, CategoriesAndGroups) {
  EXPECT_EQ(lvb::question_categories().size(), 17u);
  EXPECT_EQ(lvb::duration_groups(), (std::vector<int>{15, 60, 600, 3600}));
}
