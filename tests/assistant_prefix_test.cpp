// The assistant prefix (models/video_lm/assistant_prefix.h; MLVU official "Best Option: ("): appending its
// own tokens to a built prompt gives the ids of tokenising the rendered prompt as one string (real Qwen2
// vocabulary), the question span grows by them, positions continue from the last token on every axis (M-RoPE
// and 1-D), an empty prefix changes nothing, and a prefix that starts with whitespace is refused.
#include <gtest/gtest.h>

#include <filesystem>

#include "methods/token_layout.h"
#include "models/tokenizer/tokenizer.h"
#include "models/video_lm/assistant_prefix.h"
#include "models/video_lm/video_lm.h"

namespace pevlm {
namespace {

namespace fs = std::filesystem;
const fs::path kQwenDir = fs::path(PEVLM_SHARED_DIR) / "data" / "qwen2-tokenizer";

const tokenizer::Tokenizer& qwen() {
  static const tokenizer::Tokenizer tok = tokenizer::Tokenizer::load(kQwenDir);
  return tok;
}

#define REQUIRE_QWEN() \
  if (!fs::exists(kQwenDir / "vocab.json")) GTEST_SKIP() << "Qwen2 vocabulary not found in " << kQwenDir

// A prompt of `layout`'s length whose ids are the generation prompt's tokens at the end.
VideoPrompt prompt_of(const TokenLayout& layout) {
  VideoPrompt p;
  p.layout = layout;
  p.ids.assign(size_t(layout.length), 0);
  p.text = "<|im_start|>assistant\n";
  return p;
}

TEST(AssistantPrefix, OwnTokensEqualTheRenderedPromptsTokens) {
  REQUIRE_QWEN();
  const std::string gen = "<|im_start|>user\nWhat happens?\n(A) one\n(B) two<|im_end|>\n<|im_start|>assistant\n";
  for (const std::string prefix : {"Best Option: (", "Answer:", "(", "The best answer is", "Best option: (A"}) {
    std::vector<int32_t> whole = qwen().encode(gen + prefix);
    std::vector<int32_t> parts = qwen().encode(gen);
    const std::vector<int32_t> own = qwen().encode(prefix, false);
    parts.insert(parts.end(), own.begin(), own.end());
    EXPECT_EQ(parts, whole) << prefix;
  }
}

TEST(AssistantPrefix, ExtendsTheQuestionSpanAndContinuesPositions) {
  REQUIRE_QWEN();
  for (const bool mrope : {true, false}) {
    SyntheticLayoutSpec spec;
    spec.frames = 3;
    spec.tokens_per_frame = 4;
    spec.grid_h = 2;
    spec.grid_w = 2;
    spec.mrope = mrope;
    const TokenLayout before = make_synthetic_layout(spec);
    VideoPrompt p = prompt_of(before);
    append_assistant_prefix(p, qwen(), "Best Option: (");
    const std::vector<int32_t> own = qwen().encode("Best Option: (", false);
    const int64_t n = int64_t(own.size());
    ASSERT_GT(n, 0);
    EXPECT_EQ(p.layout.length, before.length + n);
    ASSERT_EQ(int64_t(p.ids.size()), before.length + n);
    for (int64_t j = 0; j < n; ++j) EXPECT_EQ(p.ids[size_t(before.length + j)], own[size_t(j)]);
    EXPECT_EQ(p.layout.spans.size(), before.spans.size());
    EXPECT_EQ(p.layout.spans.back().kind, SpanKind::Question);
    EXPECT_EQ(p.layout.spans.back().begin, before.spans.back().begin);
    EXPECT_EQ(p.layout.spans.back().end, before.length + n);
    EXPECT_EQ(p.layout.question_begin(), before.question_begin());
    for (int a = 0; a < before.positions.axes; ++a) {
      for (int64_t i = 0; i < before.length; ++i) EXPECT_EQ(p.layout.positions.at(a, i), before.positions.at(a, i));
      const int64_t last = before.positions.at(a, before.length - 1);
      for (int64_t j = 0; j < n; ++j) EXPECT_EQ(p.layout.positions.at(a, before.length + j), last + 1 + j);
    }
    EXPECT_EQ(p.text, "<|im_start|>assistant\nBest Option: (");
  }
}

TEST(AssistantPrefix, EmptyIsANoOpAndLeadingWhitespaceIsRefused) {
  REQUIRE_QWEN();
  const TokenLayout layout = make_synthetic_layout({});
  VideoPrompt p = prompt_of(layout);
  append_assistant_prefix(p, qwen(), "");
  EXPECT_EQ(p.layout.length, layout.length);
  EXPECT_EQ(p.layout.positions, layout.positions);
  try {
    append_assistant_prefix(p, qwen(), " Best Option: (");
    FAIL() << "a leading space was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("starts with whitespace"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace pevlm
