// A chat-template test per family (issue 20, item 5): each family's model, loaded from a folder that holds
// a known template where its reference code reads it, builds the prompt transformers renders from that
// template (tests/data/golden/chat_templates.json, scripts/golden/make_chat_template_golden.py:
// apply_chat_template over the conversation the family's reference code builds) -- the text exactly, and
// the ids outside the video equal to the tokenisation of the render split at the video placeholder (as
// the reference tokenizes: tokenizer_image_token for LLaVA-NeXT / VILA, the processor's expansion for
// Qwen2.5-VL). The model records the template (name, file, sha256) in describe(), i.e. in every row;
// a folder without one, or with an unknown one, fails to load naming the file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <ATen/ATen.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "models/llava_video/model.h"
#include "models/llava_video/tiny_model.h"
#include "models/longvila/model.h"
#include "models/longvila/tiny_model.h"
#include "models/qwen2_5_vl/runtime.h"
#include "models/qwen2_5_vl/tiny_model.h"
#include "models/tokenizer/sha256.h"
#include "tests/error_test_util.h"
#include "tests/video_lm_golden_util.h"

namespace fs = std::filesystem;
namespace pt = pevlm::tokenizer;
using pevlm::testing::expect_error;

namespace pevlm {
namespace {

const bool kOneThread = test::use_one_thread();

const nlohmann::json& golden() {
  static const nlohmann::json g = [] {
    std::ifstream in(PEVLM_SOURCE_DIR "/tests/data/golden/chat_templates.json");
    return nlohmann::json::parse(in);
  }();
  return g;
}

fs::path scratch(const std::string& tag) {
  return fs::temp_directory_path() / ("pevlm_chat_family_" + tag + "_" + std::to_string(::getpid()));
}

LoadRequest request(const nlohmann::json& options = nlohmann::json::object()) {
  LoadRequest r;
  r.dtype = "fp32";
  r.executor = attention::make_executor("reference");
  r.options = options;
  return r;
}

// The model folder of one (family, template), written once: the tiny writers' folders (which carry the
// template the real checkpoints carry) and the LLaVA-OneVision fixture with the conversion's template.
struct Folder {
  fs::path dir;           // what the model loads
  fs::path tokenizer_dir; // where tokenizer.json is
};

const Folder& folder(const std::string& family, const std::string& name) {
  static std::map<std::string, Folder> made;
  const std::string key = family + "/" + name;
  if (auto it = made.find(key); it != made.end()) return it->second;
  Folder f;
  f.dir = scratch(family + "_" + name);
  fs::remove_all(f.dir);
  f.tokenizer_dir = f.dir;
  if (family == "qwen2_5_vl") {
    qwen2_5_vl::make_tiny_model(f.dir.string(), {.seed = 5});
  } else if (family == "llava_video" && name == "qwen2") {
    llava_video::make_tiny_model(f.dir.string(), {.seed = 5, .bf16 = false});
  } else if (family == "llava_video") {
    f.dir = test::fixture_copy(PEVLM_SOURCE_DIR "/tests/data/golden/llava_video_tiny_onevision", "chat_family_onevision", "",
                               name, pt::ChatTemplateLookup::Processor);
    f.tokenizer_dir = f.dir;
  } else {
    longvila::make_tiny_model(f.dir.string(), {.seed = 5, .bf16 = false});
    if (name != "qwen2") pt::write_chat_template(f.dir / "llm", pt::ChatTemplateLookup::Tokenizer, name);
    f.tokenizer_dir = f.dir / "llm";
  }
  return made.emplace(key, f).first->second;
}

std::unique_ptr<VideoLM> load(const std::string& family, const fs::path& dir) {
  if (family == "qwen2_5_vl") return std::make_unique<qwen2_5_vl::QwenVideoLM>(dir, request());
  if (family == "llava_video")
    return std::make_unique<llava_video::LlavaVideoLM>(dir, request({{"time_instruction", false}}));
  return std::make_unique<longvila::LongVilaLM>(dir, request());
}

// Two frames as one video chunk of the family's grid (build_prompt reads the grid only).
VideoInput two_frames(const VideoLM& m) {
  VideoInput v;
  int64_t g = 4;  // qwen2_5_vl: 4 x 4 patches per step (2 x 2 merged)
  if (const auto* l = dynamic_cast<const llava_video::LlavaVideoLM*>(&m)) g = l->config().vision.grid();
  if (const auto* l = dynamic_cast<const longvila::LongVilaLM*>(&m)) g = l->config().vision.grid();
  v.chunks.push_back(VisualChunk{at::zeros({1}), {2, g, g}});
  v.pieces.push_back(UserPiece{"", 0});
  v.frame_times = {0.0, 1.0};
  v.duration_s = 2.0;
  return v;
}

std::vector<int64_t> encode(const pt::Tokenizer& tok, const std::string& text) {
  std::vector<int64_t> ids;
  for (int32_t id : tok.encode(text, true)) ids.push_back(id);
  return ids;
}

TEST(ChatTemplateFamily, EveryFamilyBuildsTheRenderOfItsCheckpointTemplate) {
  std::map<std::string, int> checked;
  for (const auto& r : golden()["renders"]) {
    const std::string family = r["family"], name = r["template"], rendered = r["rendered"], media = r["media"];
    SCOPED_TRACE(family + " / " + name + ": " + r["messages"].dump());
    const Folder& f = folder(family, name);
    const std::unique_ptr<VideoLM> m = load(family, f.dir);
    const nlohmann::json recorded = m->describe()["chat_template"];
    EXPECT_EQ(recorded["name"], name);
    EXPECT_EQ(recorded["sha256"], golden()["templates"][name]["sha256"]);
    EXPECT_NE(recorded["source"].get<std::string>().find(f.tokenizer_dir.string()), std::string::npos) << recorded;
    // VILA sends no system message: the template's default system turn. With qwen2 that is the harness's
    // default system prompt; VILA's own qwen2.jinja drops the final period.
    const std::string system = r["system"].is_string() ? r["system"].get<std::string>()
                               : name == "qwen2_vila"   ? "You are a helpful assistant"
                                                        : "You are a helpful assistant.";
    const VideoPrompt p = m->build_prompt(two_frames(*m), system, r["question"]);
    EXPECT_EQ(p.text, rendered);
    // Ids: the render split at the video placeholder, each side tokenized; the video region of the
    // prompt (qwen2_5_vl: <|vision_start|> pads <|vision_end|>; longvila: frames + their "\n") removed.
    ASSERT_FALSE(p.visual_slots.empty());
    const int64_t pre = family == "qwen2_5_vl" ? 1 : 0, post = family == "llava_video" ? 0 : 1;
    std::vector<int64_t> outside(p.ids.begin(), p.ids.begin() + (p.visual_slots.front() - pre));
    outside.insert(outside.end(), p.ids.begin() + (p.visual_slots.back() + 1 + post), p.ids.end());
    const size_t at = rendered.find(media);
    ASSERT_NE(at, std::string::npos);
    const pt::Tokenizer tok = pt::Tokenizer::load(f.tokenizer_dir);
    std::vector<int64_t> expected = encode(tok, rendered.substr(0, at));
    for (int64_t id : encode(tok, rendered.substr(at + media.size()))) expected.push_back(id);
    EXPECT_EQ(outside, expected);
    ++checked[family + "/" + name];
  }
  EXPECT_EQ(checked, (std::map<std::string, int>{{"llava_video/llava_onevision", 4}, {"llava_video/qwen2", 4},
                                                 {"longvila/qwen2", 5}, {"longvila/qwen2_vila", 5}, {"qwen2_5_vl/qwen2_5_vl", 4}}));
}

// VILA strips the user message with Python's str.strip (only its end matters: the video comes first).
TEST(ChatTemplateFamily, PythonRstripDropsWhatStrIsspaceCalls) {
  EXPECT_EQ(python_rstrip("a b \t\n\r\v\f\x1c\x1d\x1e\x1f"), "a b");
  EXPECT_EQ(python_rstrip("x\u0085\u00a0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000"), "x");
  EXPECT_EQ(python_rstrip("x\u200b"), "x\u200b");  // ZERO WIDTH SPACE: not str.isspace()
  EXPECT_EQ(python_rstrip("x\u00e9 "), "x\u00e9");
  EXPECT_EQ(python_rstrip("x\xa0"), "x\xa0");      // a lone continuation byte is not U+00A0
  EXPECT_EQ(python_rstrip("\n\n"), "");
  EXPECT_EQ(python_rstrip("x\U0001F600 "), "x\U0001F600");
}

TEST(ChatTemplateFamily, FoldersWithoutOrWithAnUnknownTemplateFailToLoadNamingTheFile) {
  // Real checkpoints of every family carry a template (Qwen2.5-VL: chat_template.json; LLaVA-Video-7B-Qwen2
  // and LongVILA's llm/: tokenizer_config.json), so a folder without one is an error.
  const fs::path qwen = scratch("no_tpl_qwen");
  fs::remove_all(qwen);
  fs::copy(folder("qwen2_5_vl", "qwen2_5_vl").dir, qwen, fs::copy_options::recursive);
  fs::remove(qwen / "chat_template.json");
  expect_error([&] { load("qwen2_5_vl", qwen); }, {"qwen2_5_vl model folder " + qwen.string(), "no chat template", "chat_template.json"});
  const fs::path vila = scratch("bad_tpl_longvila");
  fs::remove_all(vila);
  fs::copy(folder("longvila", "qwen2").dir, vila, fs::copy_options::recursive);
  fs::remove(vila / "llm" / "tokenizer_config.json");
  std::ofstream(vila / "llm" / "chat_template.jinja") << "{{ messages[0]['content'] }}";
  expect_error([&] { load("longvila", vila); },
               {(vila / "llm" / "chat_template.jinja").string(), "sha256 " + pt::sha256_hex("{{ messages[0]['content'] }}"),
                "not one pevlm can render"});
  // LLaVA-Video's lmms-lab layout reads the tokenizer's template, not a processor file.
  const fs::path lmms = scratch("proc_tpl_llava");
  fs::remove_all(lmms);
  fs::copy(folder("llava_video", "qwen2").dir, lmms, fs::copy_options::recursive);
  fs::remove(lmms / "tokenizer_config.json");
  pt::write_chat_template(lmms, pt::ChatTemplateLookup::Processor, "llava_onevision");
  expect_error([&] { load("llava_video", lmms); }, {"llava_video model folder", "no chat template", "tokenizer_config.json"});
}

}  // namespace
}  // namespace pevlm
