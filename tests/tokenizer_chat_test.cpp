// Qwen chat-template prompts: ids equal the tokenisation of the rendered template string
// (chat_template.jinja with one video + text, add_generation_prompt) and the reported ranges hold
// exactly the video / text tokens.
#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

#include "models/tokenizer/qwen_chat.h"
#include "models/tokenizer/tiny_writer.h"
#include "models/tokenizer/tokenizer.h"

namespace pt = pevlm::tokenizer;
namespace fs = std::filesystem;

namespace {

std::string pads(int64_t n) {
  std::string s;
  for (int64_t i = 0; i < n; ++i) s += "<|video_pad|>";
  return s;
}

// The template string the Hugging Face processor renders for one video question.
std::string rendered(const std::string& system, int64_t n, const std::string& text) {
  return "<|im_start|>system\n" + system + "<|im_end|>\n<|im_start|>user\n<|vision_start|>" + pads(n) + "<|vision_end|>" +
         text + "<|im_end|>\n<|im_start|>assistant\n";
}

const pt::Tokenizer& tiny() {
  static const pt::Tokenizer tok = [] {
    const fs::path d = fs::temp_directory_path() / ("pevlm_tokenizer_chat_" + std::to_string(::getpid()));
    fs::create_directories(d);
    pt::write_tiny_tokenizer_json(d / "tokenizer.json");
    auto t = pt::Tokenizer::load(d);
    fs::remove_all(d);
    return t;
  }();
  return tok;
}

const fs::path kQwenDir = fs::path(PEVLM_SHARED_DIR) / "data" / "qwen2-tokenizer";

void check_video_prompt(const pt::Tokenizer& tok, const std::string& system) {
  const std::string text = "Question: what happens first?\nA. one\nB. two\nAnswer with the option's letter.";
  const auto p = pt::qwen_video_prompt(tok, 37, text, system);
  EXPECT_EQ(p.ids, tok.encode(rendered(system, 37, text)));
  ASSERT_EQ(p.video.size(), 37);
  const int32_t pad = tok.token_id("<|video_pad|>");
  EXPECT_EQ(p.ids[p.video.begin - 1], tok.token_id("<|vision_start|>"));
  EXPECT_EQ(p.ids[p.video.end], tok.token_id("<|vision_end|>"));
  EXPECT_EQ(std::count(p.ids.begin(), p.ids.end(), pad), 37);
  EXPECT_EQ(std::count(p.ids.begin() + p.video.begin, p.ids.begin() + p.video.end, pad), 37);
}

}  // namespace

TEST(TokenizerChat, VideoPromptEqualsRenderedTemplateTiny) {
  check_video_prompt(tiny(), pt::kQwenDefaultSystemPrompt);
  check_video_prompt(tiny(), "You are a video expert.");
}

TEST(TokenizerChat, VideoPromptEqualsRenderedTemplateQwen) {
  if (!fs::exists(kQwenDir / "vocab.json")) GTEST_SKIP() << "Qwen2 vocabulary not found in " << kQwenDir;
  const auto tok = pt::Tokenizer::load(kQwenDir);
  check_video_prompt(tok, pt::kQwenDefaultSystemPrompt);
  const auto p = pt::qwen_video_prompt(tok, 4, "Hi");
  // Reference doc ids of the system turn, then <|im_start|> "user" "\n" <|vision_start|>.
  const std::vector<int32_t> head = {151644, 8948, 198, 2610, 525, 264, 10950, 17847, 13, 151645, 198, 151644};
  EXPECT_EQ(std::vector<int32_t>(p.ids.begin(), p.ids.begin() + 12), head);
  EXPECT_EQ(p.video.begin, 15);
  EXPECT_EQ(p.ids[14], 151652);
  EXPECT_EQ(p.ids.back(), 198);
}

TEST(TokenizerChat, UserTextIsNeverReadAsSpecialTokens) {
  const auto p = pt::qwen_video_prompt(tiny(), 2, "<|im_end|> is text here");
  EXPECT_EQ(std::count(p.ids.begin(), p.ids.end(), tiny().token_id("<|im_end|>")), 2);  // system + footer only
  EXPECT_THROW(pt::qwen_video_prompt(tiny(), -1, "x"), std::invalid_argument);
}

TEST(TokenizerChat, InterleavedPiecesReportTheirRanges) {
  const auto& tok = tiny();
  const std::vector<pt::PromptPiece> pieces = {{6, "\nsubtitle one"}, {0, " and text only"}, {4, "\nQuestion: why?"}};
  const auto p = pt::qwen_interleaved_prompt(tok, pieces, "Watch:", "Custom system.");
  // Same ids as the rendered string with one vision span per frame group.
  const std::string whole = "<|im_start|>system\nCustom system.<|im_end|>\n<|im_start|>user\nWatch:"
                            "<|vision_start|>" + pads(6) + "<|vision_end|>\nsubtitle one and text only"
                            "<|vision_start|>" + pads(4) + "<|vision_end|>\nQuestion: why?<|im_end|>\n<|im_start|>assistant\n";
  EXPECT_EQ(p.ids, tok.encode(whole));
  ASSERT_EQ(p.pieces.size(), 3u);
  EXPECT_EQ(p.prefix.begin, 0);
  EXPECT_EQ(p.prefix.end, p.pieces[0].vision.begin);
  const int32_t pad = tok.token_id("<|video_pad|>");
  for (size_t i = 0; i < pieces.size(); ++i) {
    const auto& r = p.pieces[i];
    EXPECT_EQ(r.video.size(), pieces[i].video_tokens) << i;
    for (int64_t k = r.video.begin; k < r.video.end; ++k) EXPECT_EQ(p.ids[k], pad);
    if (pieces[i].video_tokens > 0) {
      EXPECT_EQ(r.vision.size(), pieces[i].video_tokens + 2);
      EXPECT_EQ(p.ids[r.vision.begin], tok.token_id("<|vision_start|>"));
      EXPECT_EQ(p.ids[r.vision.end - 1], tok.token_id("<|vision_end|>"));
    } else {
      EXPECT_EQ(r.vision.size(), 0);
    }
    EXPECT_EQ(r.text.begin, r.vision.end);
    const std::vector<int32_t> text_ids(p.ids.begin() + r.text.begin, p.ids.begin() + r.text.end);
    EXPECT_EQ(tok.decode(text_ids), pieces[i].text_after) << i;
    if (i + 1 < pieces.size()) EXPECT_EQ(r.text.end, p.pieces[i + 1].vision.begin);
  }
  EXPECT_EQ(p.pieces.back().text.end, p.suffix.begin);
  EXPECT_EQ(p.suffix.end, static_cast<int64_t>(p.ids.size()));
  EXPECT_EQ(tok.decode(std::vector<int32_t>(p.ids.begin() + p.suffix.begin, p.ids.end())), "<|im_end|>\n<|im_start|>assistant\n");
}
