// The shared answer extractor (datasets/answers) against the reference extractors' own behaviour:
// tests/data/answers/extractor_golden.json, written by scripts/golden/make_answer_extractor_golden.py from
// the references re-stated in scripts/golden/answer_extractors.py (sources cited there).
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "datasets/answers/answer_extractor.h"
#include "datasets/answers/py_text.h"
#include "datasets/answers/scored_answer.h"

namespace answers = pevlm::answers;

namespace {

nlohmann::json load_golden() {
  std::ifstream in(PEVLM_SOURCE_DIR "/tests/data/answers/extractor_golden.json");
  EXPECT_TRUE(in.good()) << "missing tests/data/answers/extractor_golden.json";
  return nlohmann::json::parse(in);
}

std::string show(std::optional<char> c) { return c ? std::string(1, *c) : std::string("unparsed"); }

}  // namespace

TEST(AnswerExtractor, MatchesTheReferencesOnTheGoldenTable) {
  const nlohmann::json golden = load_golden();
  ASSERT_GE(golden["cases"].size(), 40u);
  std::set<std::string> names;
  for (const auto& info : answers::answer_extractors()) names.insert(info.name);
  ASSERT_EQ(names, golden["variants"].get<std::set<std::string>>()) << "every variant has a golden column";
  int checked = 0;
  for (const auto& c : golden["cases"]) {
    const std::string output = c["output"];
    for (const auto& [name, want] : c["expected"].items()) {
      const std::optional<char> expected =
          want.is_null() ? std::nullopt : std::optional<char>(want.get<std::string>().at(0));
      EXPECT_EQ(show(answers::extract_answer(answers::answer_extractor_from_name(name), output)), show(expected))
          << name << " on " << nlohmann::json(output).dump() << " (" << c["why"].get<std::string>() << ")";
      ++checked;
    }
  }
  EXPECT_EQ(checked, int(golden["cases"].size() * golden["variants"].size()));
}

TEST(AnswerExtractor, VariantsDifferWhereTheReferencesDo) {
  using answers::AnswerExtractor;
  // The missing comma of Video-MME's prefix list: "Best answer:" is never removed, its B wins.
  EXPECT_EQ(answers::extract_answer(AnswerExtractor::VideoMmeRegex, "Best answer: C"), 'B');
  EXPECT_EQ(answers::extract_answer(AnswerExtractor::LmmsLongVideoBench, "Best answer: C"), 'C');
  // The priority extractor prefers a letter at the end over the first capital.
  EXPECT_EQ(answers::extract_answer(AnswerExtractor::LmmsMcq, "Options A and D are both plausible, but D fits best."), 'D');
  EXPECT_EQ(answers::extract_answer(AnswerExtractor::VideoMmeRegex, "Options A and D are both plausible, but D fits best."), 'A');
  // LongVideoBench reads E; the A-D references do not.
  EXPECT_EQ(answers::extract_answer(AnswerExtractor::LmmsLongVideoBench, "E"), 'E');
  EXPECT_EQ(answers::extract_answer(AnswerExtractor::LmmsMcq, "E"), std::nullopt);
  EXPECT_EQ(answers::strip_answer_prefixes(AnswerExtractor::VideoMmeRegex, "Best answer: C"), "Best answer: C");
  EXPECT_THROW(answers::strip_answer_prefixes(AnswerExtractor::LmmsMcq, "A"), std::invalid_argument);
}

TEST(AnswerExtractor, UnknownNameListsTheValidOnes) {
  try {
    answers::answer_extractor_from_name("lmms");
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("unknown answer extractor 'lmms'"), std::string::npos) << what;
    for (const auto& info : answers::answer_extractors()) EXPECT_NE(what.find(info.name), std::string::npos) << what;
  }
}

TEST(AnswerExtractor, PythonTextHelpers) {
  namespace py = answers::py;
  EXPECT_EQ(py::strip("\xc2\xa0 B\xe3\x80\x80"), "B");  // no-break space, ideographic space
  EXPECT_EQ(py::strip("\xe3\x80\x80"), "");
  EXPECT_EQ(py::word_count(" a  b\tc\xe3\x80\x80" "d "), 4u);
  EXPECT_EQ(py::split_on("a  b", ' '), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_TRUE(py::is_alpha(U'\u00e9'));
  EXPECT_TRUE(py::is_alpha(U'\u7b54'));
  EXPECT_FALSE(py::is_alpha(U'1'));
  EXPECT_FALSE(py::is_alpha(U'\u3000'));
  // Invalid UTF-8 is kept byte by byte and never crashes the extractors.
  for (const auto& info : answers::answer_extractors()) {
    EXPECT_EQ(answers::extract_answer(info.id, "\xff\xfe"), std::nullopt) << info.name;
    EXPECT_EQ(answers::extract_answer(info.id, "\xc3"), std::nullopt) << info.name;
  }
  EXPECT_EQ(answers::extract_answer(answers::AnswerExtractor::LmmsMcq, "\xe9" "A"), 'A');
}

TEST(ScoredAnswer, UnparsedIsFlaggedAndScoredByPolicy) {
  const answers::AnswerRule wrong{answers::AnswerExtractor::LmmsMcq, answers::UnparsedPolicy::ScoreWrong, 0};
  const answers::AnswerRule random{answers::AnswerExtractor::LmmsLongVideoBench, answers::UnparsedPolicy::SeededRandom, 7};
  const answers::ScoredAnswer parsed = answers::score_answer(wrong, "The answer is (B).", 4, "q1", 'B');
  EXPECT_EQ(parsed, (answers::ScoredAnswer{'B', true, "", true}));
  const answers::ScoredAnswer none = answers::score_answer(wrong, "no idea", 4, "q1", 'B');
  EXPECT_EQ(none, (answers::ScoredAnswer{std::nullopt, false, "none", false}));
  const answers::ScoredAnswer drawn = answers::score_answer(random, "no idea", 4, "q1", 'B');
  EXPECT_FALSE(drawn.parsed);
  EXPECT_EQ(drawn.fallback, "random");
  EXPECT_EQ(drawn.predicted, answers::seeded_random_letter(4, "q1", 7));
  EXPECT_EQ(drawn.correct, drawn.predicted == 'B');
  EXPECT_EQ(answers::score_answer(wrong, "C", 4, "q1", std::nullopt).correct, std::nullopt);  // test split
  EXPECT_THROW(answers::score_answer(wrong, "A", 0, "q1", 'A'), std::invalid_argument);
  EXPECT_THROW(answers::score_answer(wrong, "A", 27, "q1", 'A'), std::invalid_argument);
  EXPECT_STREQ(answers::unparsed_policy_name(answers::UnparsedPolicy::SeededRandom), "seeded_random");
}
