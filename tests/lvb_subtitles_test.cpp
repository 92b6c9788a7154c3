// LongVideoBench subtitles: both schemas and the reference interleaving
// (datasets/longvideobench/subtitles.h). Expected sequences are worked out by hand below.
#include <gtest/gtest.h>

#include <filesystem>

#include "datasets/longvideobench/subtitles.h"

namespace lvb = pevlm::lvb;
using nlohmann::json;

namespace {

const std::filesystem::path kSubs =
    std::filesystem::path(PEVLM_SOURCE_DIR) / "tests/data/lvb/root/subtitles/_EUDpS9UF9o_en.json";

// Compact rendering: frames as F<k>, lines as their text.
std::string show(const std::vector<lvb::InterleavedItem>& items) {
  std::string out;
  for (const auto& it : items) {
    out += (out.empty() ? "" : " ") + (it.is_frame ? "F" + std::to_string(it.frame) : "[" + it.text + "]");
  }
  return out;
}

std::vector<double> seconds(int n) {
  std::vector<double> t;
  for (int i = 0; i < n; ++i) t.push_back(i);
  return t;
}

void expect_error(const json& doc, const std::vector<std::string>& needles) {
  try {
    lvb::parse_subtitles(doc, "x_en.json");
    FAIL() << doc.dump();
  } catch (const std::runtime_error& e) {
    for (const auto& n : needles) EXPECT_NE(std::string(e.what()).find(n), std::string::npos) << e.what() << " lacks " << n;
  }
}

}  // namespace

TEST(LvbSubtitles, TimestampToSeconds) {
  EXPECT_DOUBLE_EQ(lvb::timestamp_to_seconds("00:21:07.000", "c"), 1267.0);
  EXPECT_DOUBLE_EQ(lvb::timestamp_to_seconds("01:02:03.250", "c"), 3723.25);
  EXPECT_DOUBLE_EQ(lvb::timestamp_to_seconds("0:0:5", "c"), 5.0);
  for (const char* bad : {"", "12.5", "00:01", "00:00:01:02", "aa:00:01.0", "00:00:x", "00::01"}) {
    EXPECT_THROW(lvb::timestamp_to_seconds(bad, "ctx"), std::runtime_error) << bad;
  }
  try {
    lvb::timestamp_to_seconds("00:01", "f.json: subtitle 3: field \"start\"");
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "f.json: subtitle 3: field \"start\": expected a time \"HH:MM:SS.fff\", got \"00:01\"");
  }
}

TEST(LvbSubtitles, LoadsTheTimestampSchemaFixture) {
  auto subs = lvb::load_subtitles(kSubs);
  ASSERT_EQ(subs.size(), 3u);
  EXPECT_DOUBLE_EQ(subs[0].start, 1267.0);
  EXPECT_DOUBLE_EQ(subs[0].end, 1269.5);
  EXPECT_FALSE(subs[0].end_is_duration);
  EXPECT_EQ(subs[0].text, "Chop the green");
  EXPECT_EQ(subs[1].text, "Onion");
  EXPECT_TRUE(subs[2].end_is_duration);  // null end
}

TEST(LvbSubtitles, LineSchemaAndIntegerEnds) {
  auto subs = lvb::parse_subtitles(
      json::parse(R"([{"start": "00:21:07.000", "end": "00:21:09.500", "line": "Chop the green"},
                      {"timestamp": [1268, 1270], "text": "int end"},
                      {"timestamp": [1268, 1270.0], "text": "float end"}])"),
      "x_en.json");
  ASSERT_EQ(subs.size(), 3u);
  EXPECT_DOUBLE_EQ(subs[0].start, 1267.0);
  EXPECT_DOUBLE_EQ(subs[0].end, 1269.5);
  EXPECT_FALSE(subs[0].end_is_duration);
  EXPECT_EQ(subs[0].text, "Chop the green");
  // The reference's `isinstance(end, float)` replaces an integer end by the duration.
  EXPECT_TRUE(subs[1].end_is_duration);
  EXPECT_FALSE(subs[2].end_is_duration);
  EXPECT_DOUBLE_EQ(subs[2].end, 1270.0);
}

TEST(LvbSubtitles, SchemaErrorsNameFileIndexAndField) {
  expect_error(json::object(), {"x_en.json", "expected a JSON list"});
  expect_error(json::array({5}), {"x_en.json: subtitle 0", "expected an object"});
  expect_error(json::parse(R"([{"timestamp": [1, 2], "text": "a"}, {"timestamp": [1], "text": "b"}])"),
               {"subtitle 1", "field \"timestamp\"", "expected [start, end]"});
  expect_error(json::parse(R"([{"timestamp": ["1", 2], "text": "a"}])"), {"field \"timestamp\"", "start: expected a number"});
  expect_error(json::parse(R"([{"timestamp": [1, "2"], "text": "a"}])"), {"field \"timestamp\"", "end: expected a number or null"});
  expect_error(json::parse(R"([{"timestamp": [1, 2]}])"), {"field \"text\"", "missing field"});
  expect_error(json::parse(R"([{"start": "00:00:01.0", "line": "a"}])"), {"field \"end\"", "missing field"});
  expect_error(json::parse(R"([{"start": "00:00:01.0", "end": "1.5", "line": "a"}])"), {"subtitle 0: field \"end\"", "HH:MM:SS.fff"});
  expect_error(json::parse(R"([{"start": "00:00:01.0", "end": "00:00:02.0", "line": 3}])"), {"field \"line\"", "expected a string"});
  expect_error(json::parse(R"([{"words": "a"}])"), {"subtitle 0", "expected {\"timestamp\""});
  EXPECT_THROW(lvb::load_subtitles("/nonexistent/sub.json"), std::runtime_error);
}

// The fixture on the real entry's official frames (9 frames at t = 0..8 s), worked by hand:
//  "Chop the green" [1267, 1269.5] - 1267 = [0, 2.5], mid 1.25: emit F0 F1 (t <= 1.25);
//     frames 1, 2 lie inside (0, 2.5) -> line kept.
//  "Onion" [3.2, 3.6], mid 3.4: emit F2 F3; shorter than 1 s -> widened to [2.9, 3.9];
//     t = 3 inside -> kept.
//  "into the pan" [7.0, null]: end = duration 9 BEFORE the shift -> 9 - 1267 = -1258;
//     mid = -625.5 emits nothing; end - start < 1 -> [-626, -625], no frame -> dropped.
//  Then the remaining frames F4..F8.
TEST(LvbSubtitles, InterleavesTheFixtureLikeTheReference) {
  auto items = lvb::interleave_subtitles(seconds(9), lvb::load_subtitles(kSubs), 1267, 9.0);
  EXPECT_EQ(show(items), "F0 F1 [Chop the green] F2 F3 [Onion] F4 F5 F6 F7 F8");
}

TEST(LvbSubtitles, BoundaryRules) {
  auto sub = [](double s, double e, const char* t) { return lvb::Subtitle{s, e, false, t}; };
  // Frame exactly at the midpoint is emitted before the line (<=).
  EXPECT_EQ(show(lvb::interleave_subtitles(seconds(4), {sub(1.0, 3.0, "a")}, 0, 4)), "F0 F1 F2 [a] F3");
  // Exactly 1 s window [2, 3]: not widened, frames at 2 and 3 are not strictly inside -> dropped.
  EXPECT_EQ(show(lvb::interleave_subtitles(seconds(5), {sub(2.0, 3.0, "a")}, 0, 5)), "F0 F1 F2 F3 F4");
  // 0.4 s line [2.9, 3.3]: mid 3.1 emits F0..F3; widened [2.6, 3.6] holds t = 3 -> kept.
  EXPECT_EQ(show(lvb::interleave_subtitles(seconds(5), {sub(2.9, 3.3, "a")}, 0, 5)), "F0 F1 F2 F3 [a] F4");
  // Coverage looks at ALL frames: a line after every frame was emitted is kept when an earlier
  // frame lies inside it. [0.5, 3.5] mid 2 -> F0 F1 F2, kept; [0.2, 9.8] mid 5 -> F3, kept.
  EXPECT_EQ(show(lvb::interleave_subtitles(seconds(4), {sub(0.5, 3.5, "a"), sub(0.2, 9.8, "b")}, 0, 4)),
            "F0 F1 F2 [a] F3 [b]");
  // A line past the last frame: window holds no frame -> dropped; frames all emitted before.
  EXPECT_EQ(show(lvb::interleave_subtitles(seconds(3), {sub(10, 12, "late")}, 0, 12)), "F0 F1 F2");
  // No subtitles: frames only; no frames: lines never cover anything.
  EXPECT_EQ(show(lvb::interleave_subtitles(seconds(2), {}, 0, 2)), "F0 F1");
  EXPECT_EQ(show(lvb::interleave_subtitles({}, {sub(0, 5, "a")}, 0, 5)), "");
  // Integer end (end_is_duration): end = duration - start_ts. start_ts 0, duration 6:
  // [1, 6] mid 3.5 -> F0..F3, window holds 2..5 -> kept.
  EXPECT_EQ(show(lvb::interleave_subtitles(seconds(6), {lvb::Subtitle{1, 99, true, "d"}}, 0, 6)), "F0 F1 F2 F3 [d] F4 F5");
}

TEST(LvbSubtitles, LineSchemaShiftedByStartingTimestamp) {
  // "00:21:07.000".."00:21:09.500" is the fixture's first line in the other schema.
  auto subs = lvb::parse_subtitles(
      json::parse(R"([{"start": "00:21:07.000", "end": "00:21:09.500", "line": "Chop the green"},
                      {"start": "00:21:10.200", "end": "00:21:10.600", "line": "Onion"}])"),
      "x_en.json");
  EXPECT_EQ(show(lvb::interleave_subtitles(seconds(9), subs, 1267, 9.0)),
            "F0 F1 [Chop the green] F2 F3 [Onion] F4 F5 F6 F7 F8");
}

// Fuzz reproducer (fuzz/regressions/fuzz_lvb_subtitles): "99999999999999999:00:00" overflowed
// h * 3600 in long long (UBSan). Python's int does not overflow, so the reference reads it as a
// (huge) time; so does the parser now, in double arithmetic.
TEST(LvbSubtitles, FuzzRegressionHugeHoursDoNotOverflow) {
  const auto file = std::filesystem::path(PEVLM_SOURCE_DIR) / "fuzz/regressions/fuzz_lvb_subtitles/hours_overflow_int64.json";
  const auto subs = lvb::load_subtitles(file);
  ASSERT_EQ(subs.size(), 1u);
  EXPECT_DOUBLE_EQ(subs[0].start, 99999999999999999.0 * 3600.0);
  EXPECT_DOUBLE_EQ(subs[0].end, 1.0);
  EXPECT_DOUBLE_EQ(lvb::timestamp_to_seconds("-9223372036854775807:-9223372036854775807:00", "t"),
                   -9223372036854775807.0 * 3660.0);
}
