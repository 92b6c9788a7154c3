// Checkpoint chat templates (models/tokenizer/chat_template.h): SHA-256 against hashlib, the known
// template texts against the golden file (tests/data/golden/chat_templates.json, written by
// scripts/golden/make_chat_template_golden.py with transformers' apply_chat_template), where each
// lookup finds the template (transformers' order), the errors, and the Qwen2.5-VL prompt ids against
// the tokenisation of transformers' render. The other families' builders: chat_template_family_test.cpp.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "models/tokenizer/chat_template.h"
#include "models/tokenizer/qwen_chat.h"
#include "models/tokenizer/sha256.h"
#include "models/tokenizer/tiny_writer.h"
#include "models/tokenizer/tokenizer.h"
#include "tests/error_test_util.h"

namespace pt = pevlm::tokenizer;
namespace fs = std::filesystem;
using pevlm::testing::expect_error;

namespace {

const nlohmann::json& golden() {
  static const nlohmann::json g = [] {
    std::ifstream in(PEVLM_SOURCE_DIR "/tests/data/golden/chat_templates.json");
    return nlohmann::json::parse(in);
  }();
  return g;
}

// A fresh empty folder per test.
fs::path scratch(const std::string& tag) {
  const fs::path d = fs::temp_directory_path() / ("pevlm_chat_template_" + tag + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void write(const fs::path& file, const std::string& text) { std::ofstream(file, std::ios::binary) << text; }

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  return s;
}

}  // namespace

TEST(ChatTemplate, Sha256MatchesFips180AndHashlib) {
  EXPECT_EQ(pt::sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(pt::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(pt::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),  // 56 bytes: padding spills a block
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(pt::sha256_hex(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  for (const auto& [name, t] : golden()["templates"].items())
    EXPECT_EQ(pt::sha256_hex(t["text"].get<std::string>()), t["sha256"]) << name;
}

TEST(ChatTemplate, KnownTextsAreTheOnesTransformersRendered) {
  ASSERT_EQ(pt::known_chat_templates().size(), golden()["templates"].size());
  for (const pt::KnownChatTemplate& k : pt::known_chat_templates()) {
    ASSERT_TRUE(golden()["templates"].contains(k.name)) << k.name;
    EXPECT_EQ(k.text, golden()["templates"][k.name]["text"]) << k.name;
  }
  // The Qwen2.5-VL text is the released processor template, byte for byte.
  std::ifstream in(PEVLM_SHARED_DIR "/data/qwen2.5-vl-7b-instruct/chat_template.jinja", std::ios::binary);
  if (in) EXPECT_EQ(pt::known_chat_template("qwen2_5_vl").text, std::string(std::istreambuf_iterator<char>(in), {}));
  expect_error([] { pt::known_chat_template("chatml"); }, {"unknown chat template 'chatml'", "qwen2", "qwen2_5_vl"});
}

TEST(ChatTemplate, TokenizerLookupReadsJinjaFileBeforeTokenizerConfig) {
  const fs::path d = scratch("tok");
  const std::string qwen2 = pt::known_chat_template("qwen2").text;
  write(d / "tokenizer_config.json", nlohmann::json({{"model_max_length", 32768}, {"chat_template", qwen2}}).dump());
  pt::ChatTemplate t = pt::read_chat_template(d, pt::ChatTemplateLookup::Tokenizer, {"qwen2"}, "llava_video");
  EXPECT_EQ(t.name, "qwen2");
  EXPECT_EQ(t.source, (d / "tokenizer_config.json").string() + ":chat_template");
  EXPECT_EQ(t.sha256, golden()["templates"]["qwen2"]["sha256"]);
  EXPECT_EQ(t.to_json(), nlohmann::json({{"name", "qwen2"}, {"source", t.source}, {"sha256", t.sha256}}));
  // Jinja's "\n" escapes written as real newlines (and a trailing newline) render the same: same template,
  // the stored text's own hash; the .jinja file comes first (transformers: it overrides the config key).
  const std::string spelled = replace_all(qwen2, "\\n", "\n") + "\n";
  write(d / "chat_template.jinja", spelled);
  t = pt::read_chat_template(d, pt::ChatTemplateLookup::Tokenizer, {"qwen2"}, "llava_video");
  EXPECT_EQ(t.name, "qwen2");
  EXPECT_EQ(t.source, (d / "chat_template.jinja").string());
  EXPECT_EQ(t.sha256, pt::sha256_hex(spelled));
  // A list of named templates: transformers renders "default".
  fs::remove(d / "chat_template.jinja");
  write(d / "tokenizer_config.json",
        nlohmann::json({{"chat_template", {{{"name", "tool_use"}, {"template", "x"}}, {{"name", "default"}, {"template", qwen2}}}}})
            .dump());
  EXPECT_EQ(pt::read_chat_template(d, pt::ChatTemplateLookup::Tokenizer, {"qwen2"}, "longvila").name, "qwen2");
}

TEST(ChatTemplate, ProcessorLookupOrderAndWriterRoundTrip) {
  const fs::path d = scratch("proc");
  // tokenizer_config.json is not where a processor looks.
  write(d / "tokenizer_config.json", nlohmann::json({{"chat_template", pt::known_chat_template("qwen2_5_vl").text}}).dump());
  expect_error([&] { pt::read_chat_template(d, pt::ChatTemplateLookup::Processor, {"qwen2_5_vl"}, "qwen2_5_vl"); },
               {"qwen2_5_vl model folder " + d.string(), "no chat template", "processor_config.json", "chat_template.json",
                "chat_template.jinja", "processor"});
  const fs::path written = pt::write_chat_template(d, pt::ChatTemplateLookup::Processor, "qwen2_5_vl");
  EXPECT_EQ(written, d / "chat_template.json");
  pt::ChatTemplate t = pt::read_chat_template(d, pt::ChatTemplateLookup::Processor, {"qwen2_5_vl"}, "qwen2_5_vl");
  EXPECT_EQ(t.name, "qwen2_5_vl");
  EXPECT_EQ(t.source, written.string() + ":chat_template");
  EXPECT_EQ(t.sha256, golden()["templates"]["qwen2_5_vl"]["sha256"]);
  // The released .jinja beside it agrees; processor_config.json's key (read first) wins the source.
  write(d / "chat_template.jinja", pt::known_chat_template("qwen2_5_vl").text);
  write(d / "processor_config.json", nlohmann::json({{"chat_template", pt::known_chat_template("qwen2_5_vl").text}}).dump());
  t = pt::read_chat_template(d, pt::ChatTemplateLookup::Processor, {"qwen2_5_vl"}, "qwen2_5_vl");
  EXPECT_EQ(t.source, (d / "processor_config.json").string() + ":chat_template");
  // The tokenizer writer keeps the other keys of an existing tokenizer_config.json.
  const fs::path e = scratch("merge");
  write(e / "tokenizer_config.json", nlohmann::json({{"model_max_length", 131072}}).dump());
  pt::write_chat_template(e, pt::ChatTemplateLookup::Tokenizer, "qwen2");
  std::ifstream in(e / "tokenizer_config.json");
  const nlohmann::json cfg = nlohmann::json::parse(in);
  EXPECT_EQ(cfg["model_max_length"], 131072);
  EXPECT_EQ(cfg["chat_template"], pt::known_chat_template("qwen2").text);
}

TEST(ChatTemplate, UnknownDisagreeingOrForeignTemplatesAreErrorsNamingTheFile) {
  const fs::path d = scratch("err");
  const std::string chatml = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + "
                             "'<|im_end|>' + '\\n'}}{% endfor %}";
  write(d / "tokenizer_config.json", nlohmann::json({{"chat_template", chatml}}).dump());
  expect_error([&] { pt::read_chat_template(d, pt::ChatTemplateLookup::Tokenizer, {"qwen2"}, "longvila"); },
               {(d / "tokenizer_config.json").string() + ":chat_template", "sha256 " + pt::sha256_hex(chatml),
                "not one pevlm can render", "qwen2_5_vl", "accepted for the longvila family: qwen2"});
  write(d / "tokenizer_config.json", nlohmann::json({{"chat_template", pt::known_chat_template("qwen2_5_vl").text}}).dump());
  expect_error([&] { pt::read_chat_template(d, pt::ChatTemplateLookup::Tokenizer, {"qwen2", "qwen2_vila"}, "longvila"); },
               {"tokenizer_config.json:chat_template", "'qwen2_5_vl'", "not one the longvila prompt builder renders",
                "accepted: qwen2, qwen2_vila"});
  write(d / "chat_template.jinja", pt::known_chat_template("qwen2").text);
  expect_error([&] { pt::read_chat_template(d, pt::ChatTemplateLookup::Tokenizer, {"qwen2"}, "longvila"); },
               {"chat_template.jinja", "tokenizer_config.json:chat_template", "differ"});
  fs::remove(d / "chat_template.jinja");
  write(d / "tokenizer_config.json", nlohmann::json({{"chat_template", 7}}).dump());
  expect_error([&] { pt::read_chat_template(d, pt::ChatTemplateLookup::Tokenizer, {"qwen2"}, "longvila"); },
               {"tokenizer_config.json:chat_template", "expected a string"});
  write(d / "tokenizer_config.json", "{\"chat_template\": ");
  expect_error([&] { pt::read_chat_template(d, pt::ChatTemplateLookup::Tokenizer, {"qwen2"}, "longvila"); },
               {"tokenizer_config.json", "not valid JSON"});
  write(d / "tokenizer_config.json", nlohmann::json({{"chat_template", nullptr}}).dump());  // as no template
  expect_error([&] { pt::read_chat_template(d, pt::ChatTemplateLookup::Tokenizer, {"qwen2"}, "longvila"); },
               {"longvila model folder", "no chat template", "chat_template.jinja", "tokenizer_config.json", "tokenizer"});
}

// Qwen2.5-VL (lmms-eval renders processor.apply_chat_template, then the processor expands each
// <|video_pad|> to the video's tokens): the prompt ids equal the tokenisation of that render.
TEST(ChatTemplate, QwenVideoPromptEqualsTransformersRender) {
  const fs::path d = scratch("qwen_tok");
  pt::write_tiny_tokenizer_json(d / "tokenizer.json");
  const pt::Tokenizer tok = pt::Tokenizer::load(d);
  int checked = 0;
  for (const auto& r : golden()["renders"]) {
    if (r["family"] != "qwen2_5_vl") continue;
    std::string pads;
    for (int i = 0; i < 37; ++i) pads += "<|video_pad|>";
    const std::string expanded = replace_all(r["rendered"].get<std::string>(), "<|video_pad|>", pads);
    const auto p = pt::qwen_video_prompt(tok, 37, r["text"].get<std::string>(), r["system"].get<std::string>());
    EXPECT_EQ(p.ids, tok.encode(expanded, true)) << r["rendered"];
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}
