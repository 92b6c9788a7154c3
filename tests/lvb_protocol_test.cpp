// LongVideoBench protocols: registry, overrides, to_json, and the frames + prompt pieces each
// makes of the real reference entry (datasets/longvideobench/protocol.h, prompt_plan.h).
#include <gtest/gtest.h>

#include <filesystem>

#include "datasets/longvideobench/annotations.h"
#include "datasets/longvideobench/prompt_plan.h"
#include "datasets/longvideobench/protocol.h"

namespace lvb = pevlm::lvb;
using nlohmann::json;
using I = std::vector<int64_t>;

namespace {

const std::filesystem::path kRoot = std::filesystem::path(PEVLM_SOURCE_DIR) / "tests/data/lvb/root";

lvb::Sample real_sample() { return lvb::load_annotations(kRoot, lvb::kValFile).at(0); }

std::vector<lvb::Subtitle> real_subtitles() {
  return lvb::load_subtitles(kRoot / "subtitles" / "_EUDpS9UF9o_en.json");
}

const std::string kQuestion =
    "In the scene, there's a person cutting a green onion with a knife, and in the upper left "
    "corner, there's also a screen with burning wood. When the subtitle mentions 'Onion,' what "
    "other objects are present in the scene?";
const std::string kOptions =
    "A. On the table, there's also a silver bowl containing a tomato and a pumpkin.\nB. Oven\nC. "
    "Bread\nD. Watch";
const std::string kInstruction = "Answer with the option's letter from the given choices directly.";

void expect_invalid(const std::string& name, const json& overrides, const std::vector<std::string>& needles) {
  try {
    lvb::make_protocol(name, overrides);
    FAIL() << name << " " << overrides.dump();
  } catch (const std::invalid_argument& e) {
    for (const auto& n : needles) EXPECT_NE(std::string(e.what()).find(n), std::string::npos) << e.what() << " lacks " << n;
  }
}

}  // namespace

TEST(LvbProtocol, NamesAndDefaults) {
  EXPECT_EQ(lvb::protocol_names(), (std::vector<std::string>{"lmms_val_v", "lmms_val_i", "official", "caption"}));
  auto v = lvb::make_protocol("lmms_val_v");
  EXPECT_EQ(v.max_num_frames, 32);
  EXPECT_DOUBLE_EQ(v.fps, 2.0);
  EXPECT_FALSE(v.subtitles);
  EXPECT_TRUE(v.frames_as_video);
  EXPECT_EQ(v.min_pixels, 200704);  // 256 * 28 * 28
  EXPECT_EQ(v.max_pixels, 1605632);
  EXPECT_EQ(v.max_new_tokens, 32);
  EXPECT_DOUBLE_EQ(v.second_per_grid_ts, 1.0);
  EXPECT_EQ(v.post_prompt, kInstruction + "\n");
  auto i = lvb::make_protocol("lmms_val_i");
  EXPECT_EQ(i.max_num_frames, 16);
  EXPECT_TRUE(i.subtitles);
  EXPECT_FALSE(i.frames_as_video);
  auto o = lvb::make_protocol("official");
  EXPECT_EQ(o.max_num_frames, 256);
  EXPECT_TRUE(o.subtitles);
  EXPECT_EQ(o.post_prompt, kInstruction);
}

TEST(LvbProtocol, ToJsonRecordsEveryParameterAndRoundTrips) {
  auto v = lvb::make_protocol("lmms_val_v", {{"max_num_frames", 64}, {"fps", 1.0}});
  json j = v.to_json();
  EXPECT_EQ(j["name"], "lmms_val_v");
  EXPECT_EQ(j["max_num_frames"], 64);
  EXPECT_EQ(j["fps"], 1.0);
  EXPECT_EQ(j["min_pixels"], 200704);
  EXPECT_EQ(j["max_pixels"], 1605632);
  EXPECT_EQ(j["deduplicate"], false);
  EXPECT_EQ(j["frames_as_video"], true);
  EXPECT_EQ(j["post_prompt"], kInstruction + "\n");
  for (const auto& key : lvb::protocol_keys("lmms_val_v")) EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_FALSE(j.contains("subtitles"));  // not a parameter of lmms_val_v
  EXPECT_EQ(lvb::protocol_from_json(j).to_json(), j);
  auto o = lvb::make_protocol("official", {{"subtitles", false}});
  EXPECT_EQ(o.to_json()["subtitles"], false);
  EXPECT_EQ(lvb::protocol_from_json(o.to_json()).to_json(), o.to_json());
}

TEST(LvbProtocol, OverrideValidation) {
  expect_invalid("lmms_val_x", json::object(), {"unknown LongVideoBench protocol \"lmms_val_x\"", "lmms_val_v, lmms_val_i, official"});
  expect_invalid("lmms_val_v", {{"fpss", 1}}, {"protocol \"lmms_val_v\": unknown key \"fpss\"", "valid keys: fps, max_num_frames, min_frames"});
  expect_invalid("official", {{"fps", 1.0}}, {"unknown key \"fps\"", "valid keys: max_num_frames, subtitles"});
  expect_invalid("lmms_val_i", {{"max_num_frames", "16"}}, {"key \"max_num_frames\"", "expected an integer"});
  expect_invalid("lmms_val_i", {{"max_num_frames", 0}}, {"key \"max_num_frames\"", "expected >= 1"});
  expect_invalid("lmms_val_v", {{"max_num_frames", -1}}, {"key \"max_num_frames\"", "expected >= 0"});
  expect_invalid("lmms_val_v", {{"fps", 0}}, {"key \"fps\"", "expected a positive number"});
  expect_invalid("lmms_val_v", {{"fps", "2"}}, {"key \"fps\"", "expected a number"});
  expect_invalid("lmms_val_v", {{"deduplicate", 1}}, {"key \"deduplicate\"", "expected true or false"});
  expect_invalid("lmms_val_v", {{"max_pixels", 100}}, {"key \"max_pixels\"", "expected >= min_pixels (200704)"});
  expect_invalid("lmms_val_v", {{"max_pixels", 1e30}}, {"key \"max_pixels\"", "expected an integer"});
  expect_invalid("lmms_val_v", {{"max_num_frames", 5000000000LL}}, {"key \"max_num_frames\"", "out of range"});
  expect_invalid("lmms_val_v", {{"fallback_seed", -3}}, {"key \"fallback_seed\"", "non-negative integer"});
  expect_invalid("lmms_val_v", {{"system_prompt", 3}}, {"key \"system_prompt\"", "expected a string"});
  expect_invalid("lmms_val_v", json::array(), {"overrides must be a JSON object"});
  EXPECT_THROW(lvb::protocol_from_json(json::object()), std::invalid_argument);
  EXPECT_EQ(lvb::make_protocol("lmms_val_v", {{"fallback_seed", 7}}).fallback_seed, 7u);
}

TEST(LvbProtocol, VideoMaxPixelsRule) {
  auto v = lvb::make_protocol("lmms_val_v");
  EXPECT_DOUBLE_EQ(lvb::video_max_pixels(v, 768), 1605632.0);  // as given (reference doc)
  auto c = lvb::make_protocol("lmms_val_v", {{"cap_video_pixels", true}});
  // qwen-vl-utils >= 0.0.11: min(1605632, max(min(602112, 90316800 / n * 2), 210739)).
  EXPECT_DOUBLE_EQ(lvb::video_max_pixels(c, 18), 602112.0);
  EXPECT_DOUBLE_EQ(lvb::video_max_pixels(c, 768), 90316800.0 / 768 * 2);  // 235200
  EXPECT_DOUBLE_EQ(lvb::video_max_pixels(c, 2000), 210739.0);             // int(200704 * 1.05)
}

// official on the real entry, 30 fps: frames 0, 30, ..., 240 at t = 0..8 s; the subtitles
// interleave as worked out in lvb_subtitles_test.cpp.
TEST(LvbProtocol, OfficialPlanOfTheRealEntry) {
  const auto subs = real_subtitles();
  auto plan = lvb::build_prompt_plan(lvb::make_protocol("official"), real_sample(), {30.0, 270, 9.0}, &subs);
  EXPECT_EQ(plan.frame_indices, (I{0, 30, 60, 90, 120, 150, 180, 210, 240}));
  EXPECT_EQ(plan.frame_timestamps, (std::vector<double>{0, 1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(plan.subtitle_clock, plan.frame_timestamps);
  EXPECT_EQ(plan.subtitle_lines, 2);
  EXPECT_EQ(plan.question_text, "Question: " + kQuestion + "\n" + kOptions + "\n" + kInstruction);
  EXPECT_EQ(plan.render("<F>"), "<F>\n<F>\nChop the green\n<F>\n<F>\nOnion\n<F>\n<F>\n<F>\n<F>\n<F>\nQuestion: " +
                                    kQuestion + "\n" + kOptions + "\n" + kInstruction);
  // Without subtitles: frames then the question lines.
  auto bare = lvb::build_prompt_plan(lvb::make_protocol("official", {{"subtitles", false}}), real_sample(), {30.0, 270, 9.0});
  EXPECT_EQ(bare.pieces.size(), 9u);
  EXPECT_EQ(bare.subtitle_lines, 0);
  EXPECT_TRUE(bare.subtitle_clock.empty());
}

// lmms_val_i on the real entry: 9 s <= 16 -> 9 frames; compute_frame_timestamps = 0..8 s.
// render("<image>") must equal lmms-eval's doc_to_text:
// f"{pre_prompt}{interleaved}\n{question}\n{post_prompt}".
TEST(LvbProtocol, LmmsValIPlanOfTheRealEntry) {
  const auto subs = real_subtitles();
  auto plan = lvb::build_prompt_plan(lvb::make_protocol("lmms_val_i"), real_sample(), {30.0, 270, 9.0}, &subs);
  EXPECT_EQ(plan.frame_indices, (I{0, 30, 60, 90, 120, 150, 180, 210, 240}));
  const std::string interleaved =
      "<image>\n<image>\nChop the green\n<image>\n<image>\nOnion\n<image>\n<image>\n<image>\n<image>\n<image>";
  EXPECT_EQ(plan.render("<image>"), interleaved + "\n" + kQuestion + "\n" + kOptions + "\n" + kInstruction + "\n");
  // lmms-eval's Qwen2.5-VL adapter deletes "<image>" and sends the images first.
  EXPECT_EQ(plan.render(""), "\n\nChop the green\n\n\nOnion\n\n\n\n\n\n" + kQuestion + "\n" + kOptions + "\n" +
                                 kInstruction + "\n");
  EXPECT_FALSE(plan.frames_as_video);
}

// lmms_val_i's subtitle clock is compute_frame_timestamps (duration / 16 * i), not the decoded
// frames' times: 100 s at 25 fps decodes frames 156 * i (t = 6.24 i) but compares t = 6.25 i.
// A line [6.0, 6.49] (mid 6.245) comes BEFORE frame 1 under lmms-eval (6.25 > 6.245); under
// the official clock frame 1 (6.24) would precede it.
TEST(LvbProtocol, LmmsValIUsesComputedTimestampsForSubtitles) {
  lvb::Sample s = real_sample();
  s.duration = 100.0;
  s.starting_timestamp_for_subtitles = 0;
  const std::vector<lvb::Subtitle> subs = {{6.0, 6.49, false, "line"}};
  auto i = lvb::build_prompt_plan(lvb::make_protocol("lmms_val_i"), s, {25.0, 2500, 100.0}, &subs);
  EXPECT_EQ(i.frame_indices[1], 156);
  EXPECT_DOUBLE_EQ(i.frame_timestamps[1], 6.24);
  EXPECT_DOUBLE_EQ(i.subtitle_clock[1], 6.25);
  ASSERT_GE(i.pieces.size(), 3u);
  EXPECT_EQ(i.pieces[1], (lvb::PromptPiece{lvb::PromptPiece::Kind::Text, -1, "line"}));
  auto o = lvb::build_prompt_plan(lvb::make_protocol("official", {{"max_num_frames", 16}}), s, {25.0, 2500, 100.0}, &subs);
  EXPECT_EQ(o.frame_indices, i.frame_indices);
  EXPECT_EQ(o.pieces[1].kind, lvb::PromptPiece::Kind::Frame);
  EXPECT_EQ(o.pieces[2], (lvb::PromptPiece{lvb::PromptPiece::Kind::Text, -1, "line"}));
}

// lmms_val_v on the real entry (270 frames at 30 fps): see LvbSampling.QwenFpsSamplingHandValues.
// render("") equals lmms-eval's doc_to_text f"{pre_prompt}{question}\n{post_prompt}".
TEST(LvbProtocol, LmmsValVPlanOfTheRealEntry) {
  auto plan = lvb::build_prompt_plan(lvb::make_protocol("lmms_val_v"), real_sample(), {30.0, 270, 9.0});
  EXPECT_EQ(plan.frame_indices, (I{0, 0, 16, 16, 32, 32, 47, 47, 63, 63, 79, 95, 95, 111, 111, 127, 127, 142,
                                   142, 158, 158, 174, 190, 190, 206, 206, 222, 222, 237, 237, 253, 269}));
  EXPECT_EQ(plan.decoded_frames, 18);
  EXPECT_DOUBLE_EQ(plan.sample_fps, 2.0);
  EXPECT_DOUBLE_EQ(plan.frame_timestamps[2], 16.0 / 30.0);
  EXPECT_TRUE(plan.frames_as_video);
  EXPECT_EQ(plan.subtitle_lines, 0);
  EXPECT_EQ(plan.separator, "");
  EXPECT_EQ(plan.pre_video_text, "");
  EXPECT_EQ(plan.question_text, kQuestion + "\n" + kOptions + "\n" + kInstruction + "\n");
  EXPECT_EQ(plan.render(""), plan.question_text);
  EXPECT_EQ(plan.system_prompt, "You are a helpful assistant.");
  EXPECT_DOUBLE_EQ(plan.max_pixels, 1605632.0);
  // A pre_prompt goes after the video (the adapter puts visuals first).
  auto pre = lvb::build_prompt_plan(lvb::make_protocol("lmms_val_v", {{"pre_prompt", "P: "}}), real_sample(), {30.0, 270, 9.0});
  EXPECT_EQ(pre.question_text, "P: " + plan.question_text);
  json j = plan.to_json();
  EXPECT_EQ(j["protocol"], "lmms_val_v");
  EXPECT_EQ(j["frame_indices"].size(), 32u);
}

TEST(LvbProtocol, CaptionIsOpenEndedWithLmmsValVFrames) {
  const auto c = lvb::make_protocol("caption");
  EXPECT_TRUE(c.open_ended);
  EXPECT_EQ(c.prompt, "Please provide a detailed description of the video.");
  EXPECT_EQ(c.max_new_tokens, 256);
  EXPECT_EQ(c.max_num_frames, 32);
  EXPECT_FALSE(lvb::make_protocol("lmms_val_v").open_ended);
  auto plan = lvb::build_prompt_plan(c, real_sample(), {30.0, 270, 9.0});
  auto v = lvb::build_prompt_plan(lvb::make_protocol("lmms_val_v"), real_sample(), {30.0, 270, 9.0});
  EXPECT_EQ(plan.frame_indices, v.frame_indices);  // frames as lmms_val_v
  EXPECT_TRUE(plan.frames_as_video);
  EXPECT_EQ(plan.question_text, "Please provide a detailed description of the video.");
  auto custom = lvb::build_prompt_plan(lvb::make_protocol("caption", {{"prompt", "Describe."}, {"pre_prompt", "P: "}}),
                                       real_sample(), {30.0, 270, 9.0});
  EXPECT_EQ(custom.question_text, "P: Describe.");
  const json j = c.to_json();
  EXPECT_TRUE(j["open_ended"].get<bool>());
  EXPECT_EQ(lvb::protocol_from_json(j).to_json(), j);
  EXPECT_THROW(lvb::make_protocol("caption", {{"post_prompt", "x"}}), std::invalid_argument);  // no options to instruct
  EXPECT_THROW(lvb::make_protocol("caption", {{"max_new_tokens", 0}}), std::invalid_argument);
}

TEST(LvbProtocol, PlanErrorsNameTheSample) {
  auto expect = [](const lvb::Protocol& p, const lvb::VideoProbe& probe, const std::vector<lvb::Subtitle>* subs,
                   const std::string& needle) {
    try {
      lvb::build_prompt_plan(p, real_sample(), probe, subs);
      FAIL() << needle;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("sample \"_EUDpS9UF9o_0\""), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  const auto subs = real_subtitles();
  expect(lvb::make_protocol("lmms_val_v"), {0.0, 270, 9.0}, nullptr, "fps must be positive");
  expect(lvb::make_protocol("lmms_val_v"), {30.0, 0, 9.0}, nullptr, "no frames");
  expect(lvb::make_protocol("lmms_val_v"), {30.0, 1, 0.03}, nullptr, "nframes should be in [2, 1]");
  expect(lvb::make_protocol("official"), {30.0, 270, 9.0}, nullptr, "interleaves subtitles but none were given");
  // The annotation says 9 s at 30 fps (frame 240) but the file has 200 frames.
  expect(lvb::make_protocol("official"), {30.0, 200, 6.7}, &subs, "frame index 210 is past the video's 200 frames");
}

TEST(LvbProtocol, SampleProblemDependsOnTheProtocol) {
  lvb::Sample s = real_sample();  // fixture: video missing, subtitles present
  const std::string video = "video file not found: " + (kRoot / "videos/_EUDpS9UF9o.mp4").string();
  EXPECT_EQ(lvb::sample_problem(lvb::make_protocol("lmms_val_v"), s), video);
  s.video_missing = false;
  s.subtitle_missing = true;
  EXPECT_EQ(lvb::sample_problem(lvb::make_protocol("lmms_val_v"), s), "");  // no subtitles needed
  EXPECT_EQ(lvb::sample_problem(lvb::make_protocol("lmms_val_i"), s),
            "subtitle file not found: " + (kRoot / "subtitles/_EUDpS9UF9o_en.json").string());
  EXPECT_EQ(lvb::sample_problem(lvb::make_protocol("official", {{"subtitles", false}}), s), "");
}
