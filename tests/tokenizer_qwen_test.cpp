// The real Qwen2 / Qwen2.5 vocabulary (vocab.json + merges.txt from /work/shared/data): every case of
// cases.json (ids from the reference Hugging Face tokenizer), the reference doc's known ids, load time
// and encode throughput.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "models/tokenizer/tokenizer.h"

namespace pt = pevlm::tokenizer;
namespace fs = std::filesystem;

namespace {

const fs::path kQwenDir = fs::path(PEVLM_SHARED_DIR) / "data" / "qwen2-tokenizer";

bool have_qwen() { return fs::exists(kQwenDir / "vocab.json") && fs::exists(kQwenDir / "merges.txt"); }

// Loaded once for the whole suite (about 0.3 s).
const pt::Tokenizer& qwen() {
  static const pt::Tokenizer tok = pt::Tokenizer::load(kQwenDir);
  return tok;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Process CPU seconds: the build machine is shared, so limits are on CPU time, not wall time.
double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

}  // namespace

#define REQUIRE_QWEN() \
  if (!have_qwen()) GTEST_SKIP() << "Qwen2 vocabulary not found in " << kQwenDir

TEST(TokenizerQwen, LoadsFastWithQwenAddedTokens) {
  REQUIRE_QWEN();
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = cpu_seconds();
  const pt::Tokenizer tok = pt::Tokenizer::load(kQwenDir);
  const double cpu = cpu_seconds() - c0, wall = seconds_since(t0);
  std::printf("[ TIMING ] vocab.json + merges.txt load: %.3f s CPU, %.3f s wall\n", cpu, wall);
  EXPECT_LT(cpu, 2.0) << "loading the 151k vocabulary must stay well under 2 s";
  EXPECT_EQ(tok.vocab_size(), 151665);
  EXPECT_EQ(tok.token_id("<|endoftext|>"), 151643);
  EXPECT_EQ(tok.token_id("<|im_start|>"), 151644);
  EXPECT_EQ(tok.token_id("<|im_end|>"), 151645);
  EXPECT_EQ(tok.token_id("<|vision_start|>"), 151652);
  EXPECT_EQ(tok.token_id("<|vision_end|>"), 151653);
  EXPECT_EQ(tok.token_id("<|image_pad|>"), 151655);
  EXPECT_EQ(tok.token_id("<|video_pad|>"), 151656);
  EXPECT_EQ(tok.token_id("<|file_sep|>"), 151664);
  EXPECT_TRUE(tok.is_special(151656));
  EXPECT_FALSE(tok.is_special(151657));  // <tool_call> is added but not special
  EXPECT_EQ(tok.token_text(1879), "Ġworld");
  EXPECT_EQ(tok.token_id("Ġworld"), 1879);
}

TEST(TokenizerQwen, ReferenceDocKnownIds) {
  REQUIRE_QWEN();
  EXPECT_EQ(qwen().encode("Hello world"), (std::vector<int32_t>{9707, 1879}));
  EXPECT_EQ(qwen().encode(" Hello world"), (std::vector<int32_t>{21927, 1879}));
  EXPECT_EQ(qwen().encode("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"),
            (std::vector<int32_t>{151644, 8948, 198, 2610, 525, 264, 10950, 17847, 13, 151645, 198}));
}

TEST(TokenizerQwen, EveryCaseOfCasesJsonEncodesAndDecodes) {
  REQUIRE_QWEN();
  std::ifstream in(kQwenDir / "cases.json");
  ASSERT_TRUE(in) << "missing " << kQwenDir / "cases.json";
  const auto cases = nlohmann::json::parse(in);
  ASSERT_GE(cases.size(), 40u);
  for (const auto& c : cases) {
    const std::string text = c.at("text").get<std::string>();
    const auto expected = c.at("ids").get<std::vector<int32_t>>();
    EXPECT_EQ(qwen().encode(text), expected) << "text: " << text;
    EXPECT_EQ(qwen().decode(expected), text) << "text: " << text;
  }
}

// Edge cases beyond cases.json; ids from tokenizers 0.23 (Python) on the same vocabulary. U+180E is
// whitespace for PCRE2's \s but not for Oniguruma's (tokenizers); NFC composes e + U+0301, maps
// KELVIN SIGN to K and OHM SIGN to Omega, and composes Hangul jamo.
TEST(TokenizerQwen, EdgeCasesMatchHuggingFaceTokenizers) {
  REQUIRE_QWEN();
  const struct {
    const char* text;
    std::vector<int32_t> ids;
    const char* decoded;
  } cases[] = {
      {"a \u180e b", {64, 86089, 254, 236, 293}, "a \u180e b"},
      {"x\u180e\u180e  y", {87, 123970, 236, 123970, 236, 220, 379}, "x\u180e\u180e  y"},
      {"A\u00a0B\u3000C\u2028D\u0085E", {32, 4102, 33, 22441, 34, 378, 101, 35, 126, 227, 36}, "A\u00a0B\u3000C\u2028D\u0085E"},
      {"Cafe\u0301 \u212a \u2126", {34, 2577, 963, 730, 7851, 102}, "Caf\u00e9 K \u03a9"},
      {"\u1100\u1161\u11a8", {126317}, "\uac01"},
      {"\u017f's 'S 'LL", {144815, 594, 364, 50, 364, 4086}, "\u017f's 'S 'LL"},
      {"<|im_start|>a<|im_end|><tool_call>", {151644, 64, 151645, 151657}, "<|im_start|>a<|im_end|><tool_call>"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(qwen().encode(c.text), c.ids) << c.text;
    EXPECT_EQ(qwen().decode(c.ids), c.decoded) << c.text;
  }
}

TEST(TokenizerQwen, SpecialTokensInsideTextAndSkipOnDecode) {
  REQUIRE_QWEN();
  const auto ids = qwen().encode("Hello<|video_pad|><|video_pad|> world<|im_end|>");
  EXPECT_EQ(ids, (std::vector<int32_t>{9707, 151656, 151656, 1879, 151645}));
  EXPECT_EQ(qwen().decode(ids, /*skip_special=*/true), "Hello world");
  const auto literal = qwen().encode("<|im_end|>", /*allow_special=*/false);
  EXPECT_GT(literal.size(), 1u);
  EXPECT_EQ(qwen().decode(literal), "<|im_end|>");
}

TEST(TokenizerQwen, EncodeThroughput) {
  REQUIRE_QWEN();
  // ~1 MB of mixed English prose, code, numbers and some non-Latin text.
  const std::string unit =
      "The quick brown fox jumps over the lazy dog; it's 2024-05-17 and 3.14159 is pi. "
      "for (int i = 0; i < n; ++i) { sum += x[i] * y[i]; }\n"
      "Subtitles: \"I'll be back,\" he said.  Zurich, Zürich, Москва, 東京 🚀\n\n";
  std::string text;
  for (int i = 0; text.size() < (1u << 20); ++i) text += unit + std::to_string(i) + " ";
  const pt::Tokenizer fresh = pt::Tokenizer::load(kQwenDir);  // empty word cache
  for (const char* label : {"cold", "warm"}) {
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = cpu_seconds();
    const auto ids = fresh.encode(text);
    const double cpu = cpu_seconds() - c0, wall = seconds_since(t0);
    std::printf("[ TIMING ] encode %.2f MB -> %zu ids: %.1f MB/s CPU, %.1f MB/s wall (%s word cache)\n", text.size() / 1e6,
                ids.size(), text.size() / 1e6 / cpu, text.size() / 1e6 / wall, label);
    EXPECT_EQ(fresh.decode(ids), text);
  }
}
