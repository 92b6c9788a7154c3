// Video-MME subtitles: the SRT parser (BOM, CRLF, missing blank lines / numbers, bad cues), the official
// frame-aligned cue choice on hand-made cues with known timestamps, lmms-eval's frame_num variant, and
// CPython's set order (goldens from CPython 3.11: list(set(xs))).
#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "datasets/videomme/python_set_order.h"
#include "datasets/videomme/srt.h"
#include "datasets/videomme/subtitle_select.h"

namespace pevlm::videomme {
namespace {

const char* kFont = "<font color=\"white\" size=\".72c\">";

TEST(Srt, ParsesNumbersTimesAndText) {
  const auto cues = parse_srt("1\n00:00:01,000 --> 00:00:02,500\nhello\nworld\n\n2\n01:02:03,004 --> 01:02:04,000\nbye\n", "a.srt");
  ASSERT_EQ(cues.size(), 2u);
  EXPECT_EQ(cues[0].number, 1);
  EXPECT_DOUBLE_EQ(cues[0].start, 1.0);
  EXPECT_DOUBLE_EQ(cues[0].end, 2.5);
  EXPECT_EQ(cues[0].lines, (std::vector<std::string>{"hello", "world"}));
  EXPECT_EQ(cues[0].line, 2);
  EXPECT_DOUBLE_EQ(cues[1].start, 3723.004);
  EXPECT_EQ(cue_plain_text(cues[0]), "hello world");
}

TEST(Srt, ToleratesBomCrlfMissingBlankLinesAndNumbers) {
  const std::string text =
      "\xEF\xBB\xBF" "1\r\n00:00:00,000 --> 00:00:01,000\r\nfirst\r\n2\r\n00:00:01,000 --> 00:00:02,000\r\nsecond\r\n"
      "00:00:02.000 --> 00:00:03.000 X1:10 X2:20\r\nthird <i>it</i>\r\n\r\n\r\n";
  const auto cues = parse_srt(text, "b.srt");
  ASSERT_EQ(cues.size(), 3u);
  EXPECT_EQ(cues[0].lines, (std::vector<std::string>{"first"}));
  EXPECT_EQ(cues[1].number, 2);
  EXPECT_EQ(cues[1].lines, (std::vector<std::string>{"second"}));
  EXPECT_EQ(cues[2].number, 0);  // no number line
  EXPECT_DOUBLE_EQ(cues[2].end, 3.0);
  EXPECT_EQ(cue_plain_text(cues[2]), "third it");
}

TEST(Srt, BadCuesNameFileAndLine) {
  const auto message = [](const std::string& text) {
    try {
      parse_srt(text, "bad.srt");
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message("1\n00:00:01,000 --> 00:00:0x,000\nhi\n").find("bad.srt:2"), std::string::npos);
  EXPECT_NE(message("1\n00:00:01,000 --> 00:00:02,000\nhi\n\nnot a cue\n").find("bad.srt:5"), std::string::npos);
  EXPECT_NE(message("00:00:03,000 --> 00:00:02,000\nbackwards\n").find("ends before it starts"), std::string::npos);
  EXPECT_NE(message("00:61:00,000 --> 00:62:00,000\nx\n").find("bad.srt:1"), std::string::npos);
  EXPECT_THROW(load_srt("/nonexistent/x.srt"), std::runtime_error);
  EXPECT_NE(message("99999999999999\n00:00:01,000 --> 00:00:02,000\nx\n").find("bad.srt:1: cue number too long"), std::string::npos);
}

TEST(Srt, TimeFormat) {
  EXPECT_DOUBLE_EQ(srt_time_to_seconds("00:00:00,001"), 0.001);
  EXPECT_DOUBLE_EQ(srt_time_to_seconds("10:00:00.500"), 36000.5);
  EXPECT_THROW(srt_time_to_seconds("0:0:0"), std::invalid_argument);
  EXPECT_THROW(srt_time_to_seconds("00:00:00,1234"), std::invalid_argument);
  EXPECT_THROW(srt_time_to_seconds("777777777777:00:09,51"), std::invalid_argument);  // fuzz finding: overflowed frames
}

// fuzz/regressions/fuzz_videomme_srt/huge_hours_overflow: a 44-digit hour overflowed int(start * fps).
TEST(SrtFuzzRegression, HugeHoursAreAnErrorNamingTheLine) {
  std::ifstream in(std::string(PEVLM_SOURCE_DIR) + "/fuzz/regressions/fuzz_videomme_srt/huge_hours_overflow", std::ios::binary);
  ASSERT_TRUE(in);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  try {
    lmms_subtitle_lines(parse_srt(bytes, "crash.srt"), 600, 25.0, 32);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("crash.srt:2: bad SRT time"), std::string::npos) << e.what();
  }
}

std::vector<SrtCue> hand_made_cues() {
  const std::string f = kFont;
  return parse_srt("1\n00:00:00,000 --> 00:00:02,000\n" + f + "zero</font>\n\n"
                   "2\n00:00:03,000 --> 00:00:03,500\n" + f + "three</font>\n\n"
                   "3\n00:00:05,000 --> 00:00:06,000\n" + f + "five</font>\n\n"
                   "4\n00:00:09,000 --> 00:00:10,000\n" + f + "nine</font>\n\n"
                   "5\n00:00:06,500 --> 00:00:07,000\nplain\n",
                   "hand.srt");
}

TEST(VideoMmeSubtitles, OfficialRuleTakesTheCuesAtTheSampledFrames) {
  const auto cues = hand_made_cues();
  // Frames at 0.5 s (cue 1), 2.0 s (cue 1 ends at 2.0: excluded), 3.2 s (cue 2), 6.75 s (cue 5), 9.9 s (cue 4).
  EXPECT_EQ(cues_at_frame_times(cues, {0.5, 2.0, 3.2, 6.75, 9.9}), (std::vector<std::string>{"zero", "three", "nine", "plain"}));
  EXPECT_EQ(cues_at_frame_times(cues, {2.0, 4.0}), std::vector<std::string>{});
  EXPECT_EQ(cues_at_frame_times(cues, {5.0, 5.5}), (std::vector<std::string>{"five"}));  // a cue appears once
}

TEST(VideoMmeSubtitles, LmmsFrameNumVariantIgnoresTheModelsFrames) {
  const auto cues = hand_made_cues();
  // 100 frames at 10 fps, frame_num 4: frames 0, 33, 66, 99 -> cues 1 (0-20), 2 (30-35), 5 (65-70, no font
  // tag: skipped), 4 (90-100).
  EXPECT_EQ(lmms_subtitle_lines(cues, 100, 10.0, 4), (std::vector<std::string>{"zero", "three", "nine"}));
  // frame_num -1: every frame.
  EXPECT_EQ(lmms_subtitle_lines(cues, 100, 10.0, -1), (std::vector<std::string>{"zero", "three", "five", "nine"}));
}

TEST(VideoMmeSubtitles, RepeatedSpansKeepTheirFirstPlaceAndLastText) {
  const std::string f = kFont;
  const auto cues = parse_srt("00:00:00,000 --> 00:00:01,000\n" + f + "a</font>\n\n00:00:02,000 --> 00:00:03,000\n" + f +
                                  "b</font>\n\n00:00:00,000 --> 00:00:01,000\n" + f + "c</font>\n",
                              "dup.srt");
  EXPECT_EQ(lmms_subtitle_lines(cues, 30, 10.0, 30), (std::vector<std::string>{"c", "b"}));
}

// lmms-eval's own code (re-stated in scripts/golden/make_videomme_subtitle_golden.py) on random SRT files,
// including few-hit cases where list(set(...)) is not ascending.
TEST(VideoMmeSubtitles, LmmsVariantMatchesTheReferenceGolden) {
  std::ifstream in(std::string(PEVLM_SOURCE_DIR) + "/tests/data/videomme/subtitle_golden.json");
  ASSERT_TRUE(in) << "tests/data/videomme/subtitle_golden.json";
  const nlohmann::json golden = nlohmann::json::parse(in);
  int cases = 0;
  for (const auto& c : golden.at("cases")) {
    const auto cues = parse_srt(c.at("srt").get<std::string>(), "golden case " + std::to_string(cases));
    EXPECT_EQ(lmms_subtitle_lines(cues, c.at("total_frame").get<int64_t>(), c.at("fps").get<double>(), c.at("frame_num").get<int>()),
              c.at("lines").get<std::vector<std::string>>())
        << "case " << cases;
    ++cases;
  }
  EXPECT_EQ(cases, 16);
}

TEST(PythonSetOrder, MatchesCPython) {
  EXPECT_EQ(python_set_order({9, 1, 17, 8, 3}), (std::vector<int64_t>{1, 3, 8, 9, 17}));
  EXPECT_EQ(python_set_order({40, 3, 12, 3, 33, 5, 100, 7}), (std::vector<int64_t>{33, 3, 100, 5, 7, 40, 12}));
  std::vector<int64_t> down;
  for (int i = 30; i >= 1; --i) down.push_back(i);
  std::vector<int64_t> up;
  for (int i = 1; i <= 30; ++i) up.push_back(i);
  EXPECT_EQ(python_set_order(down), up);
  EXPECT_THROW(python_set_order({-1}), std::invalid_argument);
}

}  // namespace
}  // namespace pevlm::videomme
