// Pre-tokeniser, BPE on a hand-made vocabulary, added tokens, NFC and UTF-8 handling.
// Expected pre-tokenisations come from tokenizers 0.23 (Split(Regex(Qwen2 pattern), "isolated")).
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <utf8proc.h>

#include <cstdlib>

#include "models/tokenizer/normalizer.h"
#include "models/tokenizer/pretokenizer.h"
#include "models/tokenizer/tokenizer.h"
#include "models/tokenizer/utf8.h"

namespace pt = pevlm::tokenizer;
using Words = std::vector<std::string>;

namespace {

Words split(const std::string& text) {
  static const pt::RegexSplitter splitter(pt::kQwen2Pattern);
  std::vector<std::string_view> views;
  splitter.split(text, views);
  return Words(views.begin(), views.end());
}

}  // namespace

TEST(TokenizerPretok, Contractions) {
  EXPECT_EQ(split("I've been 'told he's there, 'RE you sure? We'Ve a'lL"),
            (Words{"I", "'ve", " been", " '", "told", " he", "'s", " there", ",", " '", "RE", " you", " sure", "?", " We",
                   "'Ve", " a", "'lL"}));
}

TEST(TokenizerPretok, DigitsOneAtATime) {
  EXPECT_EQ(split("w048 12345"), (Words{"w", "0", "4", "8", " ", "1", "2", "3", "4", "5"}));
}

TEST(TokenizerPretok, Newlines) {
  EXPECT_EQ(split("a\n\nb\n =\r\n x"), (Words{"a", "\n\n", "b", "\n", " =\r\n", " x"}));
  EXPECT_EQ(split("end.  \n\n  next"), (Words{"end", ".", "  \n\n", " ", " next"}));
}

TEST(TokenizerPretok, SpacesBeforePunctuation) {
  EXPECT_EQ(split("Hello , world  !  "), (Words{"Hello", " ,", " world", " ", " !", "  "}));
  EXPECT_EQ(split("x  (y)\t\tz"), (Words{"x", " ", " (", "y", ")", "\t", "\tz"}));
}

TEST(TokenizerPretok, NonLatinLetters) {
  EXPECT_EQ(split("нещо на Български 我想在apple工作1314天～"),
            (Words{"нещо", " на", " Български", " 我想在apple工作", "1", "3", "1", "4", "天", "～"}));
}

TEST(TokenizerPretok, Emoji) {
  EXPECT_EQ(split("🚀 (normal) 😶\u200d🌫️ ✅"), (Words{"🚀", " (", "normal", ")", " 😶\u200d🌫️", " ✅"}));
}

TEST(TokenizerPretok, PiecesConcatenateToInputAndBadPatternThrows) {
  const std::string text = "  mixed\ttext 123 ,,, \n\n\t end   ";
  std::string joined;
  for (const auto& w : split(text)) joined += w;
  EXPECT_EQ(joined, text);
  EXPECT_THROW(pt::RegexSplitter("(unclosed"), std::invalid_argument);
}

TEST(TokenizerUtf8, ByteMapAndLossyDecode) {
  EXPECT_EQ(pt::bytes_to_vocab_form(" world\n"), "Ġworld\xC4\x8A");  // Ġ = U+0120, Ċ = U+010A
  std::string bytes;
  ASSERT_TRUE(pt::vocab_form_to_bytes("Ġworld", bytes));
  EXPECT_EQ(bytes, " world");
  EXPECT_FALSE(pt::vocab_form_to_bytes("\xE4\xB8\xAD", bytes));  // 中 is not a byte-map character
  EXPECT_EQ(pt::bytes_in_vocab_order()[0], '!');
  EXPECT_EQ(pt::bytes_in_vocab_order()[220], ' ');  // GPT-2 / Qwen2 id of "Ġ"
  EXPECT_EQ(pt::utf8_lossy("a\x80" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(pt::utf8_lossy("\xF0\x9F"), "\xEF\xBF\xBD");  // truncated 4-byte sequence -> one U+FFFD
  EXPECT_EQ(pt::find_invalid_utf8("ok\xC3"), 2u);
}

// A hand-made vocabulary: the 256 byte tokens (GPT-2 order) and merges whose ranks decide the result.
class TokenizerBpe : public ::testing::Test {
 protected:
  void SetUp() override {
    pt::TokenizerSpec spec;
    spec.source = "hand-made";
    spec.pattern = pt::kQwen2Pattern;
    const auto order = pt::bytes_in_vocab_order();
    for (int i = 0; i < 256; ++i) spec.vocab.emplace_back(pt::bytes_to_vocab_form(std::string(1, char(order[i]))), i);
    for (const char* t : {"bc", "ab", "abab", "aa", "Ġa", "Ġab"}) spec.vocab.emplace_back(t, int(spec.vocab.size()));
    // Ranks: b c < a b < ab ab < a a < Ġ a < Ġa b.
    spec.merges = {{"b", "c"}, {"a", "b"}, {"ab", "ab"}, {"a", "a"}, {"Ġ", "a"}, {"Ġa", "b"}};
    spec.added = {{300, "<|end|>", true}, {301, "<|end|>x", true}, {302, "<tool>", false}};
    tok = std::make_unique<pt::Tokenizer>(pt::Tokenizer::from_spec(spec));
  }
  int32_t id(const std::string& form) const { return tok->token_id(form); }
  std::unique_ptr<pt::Tokenizer> tok;
};

TEST_F(TokenizerBpe, MergesApplyByRank) {
  // b c (rank 0) wins over a b (rank 1): "abc" -> a + bc, never ab + c.
  EXPECT_EQ(tok->encode("abc"), (std::vector<int32_t>{id("a"), id("bc")}));
  // both a b merge, then ab ab: one token.
  EXPECT_EQ(tok->encode("abab"), (std::vector<int32_t>{id("abab")}));
  // equal ranks merge leftmost first: (aa) a.
  EXPECT_EQ(tok->encode("aaa"), (std::vector<int32_t>{id("aa"), id("a")}));
  // " ab" is one word; Ġ a (rank 4) loses to a b (rank 1), so Ġa b never applies.
  EXPECT_EQ(tok->encode(" ab"), (std::vector<int32_t>{id("Ġ"), id("ab")}));
  EXPECT_EQ(tok->encode(" ac"), (std::vector<int32_t>{id("Ġa"), id("c")}));
  EXPECT_EQ(tok->encode(""), std::vector<int32_t>{});
}

TEST_F(TokenizerBpe, AddedTokensMatchFirstLongestAndNeverSplit) {
  EXPECT_EQ(tok->encode("ab<|end|>abc"), (std::vector<int32_t>{id("ab"), 300, id("a"), id("bc")}));
  EXPECT_EQ(tok->encode("<|end|>x<|end|>"), (std::vector<int32_t>{301, 300}));  // longest match wins
  EXPECT_EQ(tok->encode("a<tool>b"), (std::vector<int32_t>{id("a"), 302, id("b")}));
  // Disabled special tokens are plain text; non-special added tokens still match.
  const auto plain = tok->encode("<|end|><tool>", /*allow_special=*/false);
  EXPECT_EQ(plain.back(), 302);
  EXPECT_EQ(std::count(plain.begin(), plain.end(), 300), 0);
  EXPECT_EQ(tok->decode(plain), "<|end|><tool>");
}

TEST_F(TokenizerBpe, DecodeRoundTripAndSkipSpecial) {
  for (const std::string text : {"abcab aaa", "  x\n\n<|end|>y ", "Ünïcödé ✅ 🦙 中文", "<|end|>x<tool>", ""}) {
    EXPECT_EQ(tok->decode(tok->encode(text)), text) << text;
  }
  EXPECT_EQ(tok->decode(tok->encode("a<|end|>b<tool>"), /*skip_special=*/true), "ab<tool>");
  const auto emoji = tok->encode("🦙");
  ASSERT_EQ(emoji.size(), 4u);  // no merges for its bytes: 4 byte tokens
  EXPECT_EQ(tok->decode(std::vector<int32_t>(emoji.begin(), emoji.begin() + 2)), "\xEF\xBF\xBD");
}

TEST_F(TokenizerBpe, LookupsAndErrors) {
  EXPECT_EQ(tok->vocab_size(), 303);
  EXPECT_EQ(tok->token_text(id("Ġab")), "Ġab");
  EXPECT_EQ(tok->token_text(300), "<|end|>");
  EXPECT_TRUE(tok->is_special(300));
  EXPECT_FALSE(tok->is_special(302));
  try {
    tok->token_id("<|missing|>");
    FAIL() << "expected an exception";
  } catch (const std::out_of_range& e) {
    EXPECT_NE(std::string(e.what()).find("<|missing|>"), std::string::npos);
  }
  EXPECT_THROW(tok->token_text(9999), std::out_of_range);
  EXPECT_THROW(tok->decode(std::vector<int32_t>{-1}), std::out_of_range);
  EXPECT_THROW(tok->encode("bad \xC3("), std::invalid_argument);
}

TEST_F(TokenizerBpe, NfcBeforePreTokenisation) {
  // "e" + U+0301 COMBINING ACUTE composes to "é" (U+00E9) before BPE.
  EXPECT_EQ(tok->encode("Cafe\xCC\x81"), tok->encode("Caf\xC3\xA9"));
}

TEST(TokenizerSpecErrors, MissingByteTokenAndBadMerge) {
  pt::TokenizerSpec spec;
  spec.source = "broken-spec";
  spec.pattern = pt::kQwen2Pattern;
  spec.vocab = {{"a", 0}};
  try {
    pt::Tokenizer::from_spec(spec);
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("broken-spec"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("byte"), std::string::npos) << e.what();
  }
  const auto order = pt::bytes_in_vocab_order();
  spec.vocab.clear();
  for (int i = 0; i < 256; ++i) spec.vocab.emplace_back(pt::bytes_to_vocab_form(std::string(1, char(order[i]))), i);
  spec.merges = {{"x", "y"}};  // "xy" is not in the vocabulary
  EXPECT_THROW(pt::Tokenizer::from_spec(spec), std::runtime_error);
}

// The NFC fast path skips utf8proc for texts made only of nfc_stable() code points; check every code
// point against utf8proc: stable ones have combining class 0 and are their own NFC, and none is a
// non-first element of any canonical decomposition (so none can compose with what precedes it).
TEST(TokenizerNfc, FastPathCodePointsAreStable) {
  auto utf8 = [](char32_t cp) {
    std::string s;
    pt::append_utf8(s, cp);
    return s;
  };
  auto decode_all = [](const uint8_t* p) {
    std::vector<char32_t> out;
    utf8proc_int32_t cp;
    for (utf8proc_ssize_t n; *p && (n = utf8proc_iterate(p, -1, &cp)) > 0; p += n) out.push_back(static_cast<char32_t>(cp));
    return out;
  };
  int stable = 0;
  for (char32_t cp = 1; cp < 0x110000; ++cp) {
    if (cp >= 0xD800 && cp < 0xE000) continue;
    const std::string s = utf8(cp);
    if (pt::nfc_stable(cp)) {
      ++stable;
      ASSERT_EQ(utf8proc_get_property(static_cast<utf8proc_int32_t>(cp))->combining_class, 0) << std::hex << uint32_t(cp);
      uint8_t* n = utf8proc_NFC(reinterpret_cast<const uint8_t*>(s.c_str()));
      ASSERT_EQ(std::string(reinterpret_cast<char*>(n)), s) << std::hex << uint32_t(cp);
      std::free(n);
    }
    uint8_t* d = utf8proc_NFD(reinterpret_cast<const uint8_t*>(s.c_str()));
    const auto parts = decode_all(d);
    std::free(d);
    for (size_t i = 1; i < parts.size(); ++i)
      ASSERT_FALSE(pt::nfc_stable(parts[i])) << std::hex << uint32_t(parts[i]) << " composes after " << uint32_t(parts[0]) << " (in " << uint32_t(cp) << ")";
  }
  EXPECT_GT(stable, 35000);  // ASCII..Latin Ext-B, Cyrillic, kana, CJK, Hangul, emoji
  // And the fast path agrees with utf8proc on a stable mixed text and an unstable one.
  EXPECT_EQ(pt::nfc("Zürich 東京 Москва ～ 🚀"), "Zürich 東京 Москва ～ 🚀");
  EXPECT_EQ(pt::nfc("\xE1\x84\x80\xE1\x85\xA1"), "\xEA\xB0\x80");  // Hangul jamo L + V -> 가
}
