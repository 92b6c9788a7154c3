// lmms-eval LongVideoBench answer parsing (datasets/longvideobench/answer.h).
#include <gtest/gtest.h>

#include <set>

#include "datasets/longvideobench/answer.h"

namespace lvb = pevlm::lvb;

namespace {
lvb::ParsedAnswer parse(const std::string& r) { return lvb::parse_answer(r, 4, "vid_0", 0); }
}  // namespace

TEST(LvbAnswer, ParsesLetters) {
  EXPECT_EQ(parse("B"), (lvb::ParsedAnswer{'B', false}));
  EXPECT_EQ(parse("The answer is (B)."), (lvb::ParsedAnswer{'B', false}));
  EXPECT_EQ(parse("  C.\n"), (lvb::ParsedAnswer{'C', false}));
  EXPECT_EQ(parse("The best answer is D"), (lvb::ParsedAnswer{'D', false}));
  EXPECT_EQ(parse("The correct option is A"), (lvb::ParsedAnswer{'A', false}));
  // "D. A book" is D (the first capital A-E), the case lmms-eval's simple parser was written for.
  EXPECT_EQ(parse("D. A book"), (lvb::ParsedAnswer{'D', false}));
  // "Best answer:" / "Best option:" are deleted first: their 'B' does not count.
  EXPECT_EQ(parse("Best answer: C"), (lvb::ParsedAnswer{'C', false}));
  EXPECT_EQ(parse("Best option: (A) Oven"), (lvb::ParsedAnswer{'A', false}));
  // A capital E is taken even for a 4-option question (as lmms-eval: "[ABCDE]").
  EXPECT_EQ(parse("E"), (lvb::ParsedAnswer{'E', false}));
  // First capital A-E anywhere, even inside a word.
  EXPECT_EQ(parse("I think Bread"), (lvb::ParsedAnswer{'B', false}));
}

TEST(LvbAnswer, PhraseStripping) {
  EXPECT_EQ(lvb::strip_answer_phrases("  The answer is (B).  "), " (B).");
  EXPECT_EQ(lvb::strip_answer_phrases("Best answer: Best option: A"), "  A");
  // "The answer is" goes before "The answer": nothing of it is left.
  EXPECT_EQ(lvb::strip_answer_phrases("The answer is The answer x"), "  x");
}

TEST(LvbAnswer, NoLetterFallsBackDeterministically) {
  // "b) ..." has no capital A-E: lmms-eval falls back to a random choice.
  const auto a = lvb::parse_answer("b) bread on the table", 4, "vid_0", 0);
  EXPECT_TRUE(a.fallback_used);
  EXPECT_GE(a.letter, 'A');
  EXPECT_LE(a.letter, 'D');
  EXPECT_EQ(lvb::parse_answer("b) bread on the table", 4, "vid_0", 0), a);  // same seed + id
  EXPECT_EQ(a.letter, lvb::fallback_letter(4, "vid_0", 0));
  EXPECT_TRUE(lvb::parse_answer("", 4, "vid_0", 0).fallback_used);
  EXPECT_TRUE(lvb::parse_answer("The answer is", 4, "vid_0", 0).fallback_used);
  EXPECT_TRUE(lvb::parse_answer("one two three four five six seven eight nine ten eleven", 4, "vid_0", 0).fallback_used);
  // The fallback covers every option over ids and stays inside the option count.
  std::set<char> seen3, seen5;
  for (int i = 0; i < 200; ++i) {
    seen3.insert(lvb::fallback_letter(3, "id_" + std::to_string(i), 0));
    seen5.insert(lvb::fallback_letter(5, "id_" + std::to_string(i), 0));
  }
  EXPECT_EQ(seen3, (std::set<char>{'A', 'B', 'C'}));
  EXPECT_EQ(seen5, (std::set<char>{'A', 'B', 'C', 'D', 'E'}));
  // Different seeds change some fallbacks.
  int differ = 0;
  for (int i = 0; i < 50; ++i) {
    differ += lvb::fallback_letter(4, "id_" + std::to_string(i), 0) != lvb::fallback_letter(4, "id_" + std::to_string(i), 1);
  }
  EXPECT_GT(differ, 10);
  EXPECT_THROW(lvb::parse_answer("A", 6, "vid_0", 0), std::invalid_argument);
  EXPECT_THROW(lvb::parse_answer("A", 0, "vid_0", 0), std::invalid_argument);
}
