// tokenizer.json loading (string and pair merges, malformed files), the tiny tokenizer writer, and
// tokenizer.json vs vocab.json + merges.txt on the real Qwen2 vocabulary.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <unistd.h>

#include "models/tokenizer/qwen_special_tokens.h"
#include "models/tokenizer/tiny_writer.h"
#include "models/tokenizer/tokenizer.h"
#include "models/tokenizer/utf8.h"

namespace pt = pevlm::tokenizer;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A fresh temporary folder per test.
fs::path temp_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("pevlm_tokenizer_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A small Qwen-style tokenizer.json: 256 byte tokens + "ab", "abc", "Ġab" and one added token.
json small_tokenizer_json(bool pair_merges) {
  json vocab = json::object();
  const auto order = pt::bytes_in_vocab_order();
  for (int i = 0; i < 256; ++i) vocab[pt::bytes_to_vocab_form(std::string(1, char(order[i])))] = i;
  vocab["ab"] = 256;
  vocab["abc"] = 257;
  vocab["Ġab"] = 258;
  const std::vector<std::pair<std::string, std::string>> merges = {{"a", "b"}, {"ab", "c"}, {"Ġ", "ab"}};
  json m = json::array();
  for (const auto& [l, r] : merges) m.push_back(pair_merges ? json::array({l, r}) : json(l + " " + r));
  json j;
  j["added_tokens"] = json::array({{{"id", 259}, {"content", "<|im_end|>"}, {"special", true}}});
  j["normalizer"] = {{"type", "NFC"}};
  j["pre_tokenizer"] = {{"type", "Sequence"},
                        {"pretokenizers",
                         {{{"type", "Split"}, {"pattern", {{"Regex", "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"}}},
                           {"behavior", "Isolated"}, {"invert", false}},
                          {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}}}}};
  j["model"] = {{"type", "BPE"}, {"vocab", vocab}, {"merges", m}, {"byte_fallback", false}};
  return j;
}

// Loads `j` written to a file and returns the error message (empty if it loaded).
std::string load_error(const fs::path& file, const json& j) {
  write(file, j.dump());
  try {
    pt::Tokenizer::load(file);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(TokenizerJson, StringAndPairMergesGiveEqualResults) {
  const fs::path d = temp_dir("merges");
  write(d / "strings.json", small_tokenizer_json(false).dump());
  write(d / "pairs.json", small_tokenizer_json(true).dump());
  const auto a = pt::Tokenizer::load(d / "strings.json");
  const auto b = pt::Tokenizer::load(d / "pairs.json");
  const std::string text = "abc ab abcab<|im_end|> cab";
  EXPECT_EQ(a.encode(text), b.encode(text));
  // Hand-computed per word: abc | Ġab | Ġ abc ab (a b, then ab c beats Ġ ab) | 259 | Ġ c ab
  const int32_t sp = a.token_id("Ġ"), c = a.token_id("c");
  EXPECT_EQ(a.encode(text), (std::vector<int32_t>{257, 258, sp, 257, 256, 259, sp, c, 256}));
  EXPECT_EQ(a.decode(a.encode(text)), text);
  EXPECT_EQ(a.vocab_size(), 260);
  fs::remove_all(d);
}

TEST(TokenizerJson, FolderWithTokenizerJsonIsPreferred) {
  const fs::path d = temp_dir("folder");
  write(d / "tokenizer.json", small_tokenizer_json(true).dump());
  EXPECT_EQ(pt::Tokenizer::load(d).token_id("abc"), 257);
  fs::remove_all(d);
}

TEST(TokenizerJson, MalformedFilesNameFileAndKey) {
  const fs::path d = temp_dir("malformed");
  const fs::path f = d / "tokenizer.json";
  auto expect_error = [&](const json& j, const std::string& key) {
    const std::string msg = load_error(f, j);
    EXPECT_NE(msg.find(f.string()), std::string::npos) << "message should name the file: " << msg;
    EXPECT_NE(msg.find(key), std::string::npos) << "message should name '" << key << "': " << msg;
  };
  json j = small_tokenizer_json(true);
  j["model"].erase("vocab");
  expect_error(j, "model.vocab");
  j = small_tokenizer_json(true);
  j.erase("model");
  expect_error(j, "model");
  j = small_tokenizer_json(true);
  j["model"]["merges"][1] = 42;
  expect_error(j, "model.merges[1]");
  j = small_tokenizer_json(false);
  j["model"]["merges"][0] = "nospace";
  expect_error(j, "model.merges[0]");
  j = small_tokenizer_json(true);
  j["model"]["merges"].push_back({"x", "q"});  // "xq" is not in the vocabulary
  expect_error(j, "model.merges");
  j = small_tokenizer_json(true);
  j["model"]["vocab"]["ab"] = "two hundred";
  expect_error(j, "model.vocab.ab");
  j = small_tokenizer_json(true);
  j["model"]["type"] = "WordPiece";
  expect_error(j, "model.type");
  j = small_tokenizer_json(true);
  j["normalizer"] = {{"type", "Lowercase"}};
  expect_error(j, "normalizer");
  j = small_tokenizer_json(true);
  j["added_tokens"][0].erase("id");
  expect_error(j, "added_tokens[0]");
  j = small_tokenizer_json(true);
  j["pre_tokenizer"] = {{"type", "Whitespace"}};
  expect_error(j, "pre_tokenizer");

  write(f, "{\"model\": {\"vocab\": ");  // truncated JSON
  try {
    pt::Tokenizer::load(f);
    ADD_FAILURE() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(f.string()), std::string::npos) << e.what();
  }
  EXPECT_THROW(pt::Tokenizer::load(d / "absent"), std::runtime_error);
  fs::create_directories(d / "empty");
  EXPECT_THROW(pt::Tokenizer::load(d / "empty"), std::runtime_error);
  fs::remove_all(d);
}

// Fuzz reproducers (fuzz/regressions/fuzz_tokenizer_json, fuzz_tokenizer_vocab_merges): each must be
// rejected with an exception naming the file or folder and the key.
//  - root_is_string / vocab_root_is_string: a JSON string as the whole document made the SAX reader
//    call back() on its empty frame stack (UBSan);
//  - vocab_id_int32_max: id 2147483647 overflowed id + 1 when sizing the id tables (UBSan), and any
//    large id allocated gigabytes; ids are now bounded;
//  - added_token_id_wraps_int32: added-token id 2^32 + 65 was truncated to 65 (a vocabulary id).
TEST(TokenizerJson, FuzzRegressionsFailCleanly) {
  const fs::path dir = fs::path(PEVLM_SOURCE_DIR) / "fuzz/regressions";
  auto expect_load_error = [](const fs::path& path, const std::vector<std::string>& parts) {
    try {
      pt::Tokenizer::load(path);
      ADD_FAILURE() << "no exception for " << path;
    } catch (const std::runtime_error& e) {
      for (const auto& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what() << " lacks " << p;
    }
  };
  const fs::path tj = dir / "fuzz_tokenizer_json";
  expect_load_error(tj / "root_is_string.json", {(tj / "root_is_string.json").string(), "(root)"});
  expect_load_error(tj / "vocab_id_int32_max.json", {"model.vocab", "'zz'", "2147483647"});
  expect_load_error(tj / "added_token_id_wraps_int32.json",
                    {(tj / "added_token_id_wraps_int32.json").string(), "added_tokens[0].id", "4294967361"});
  // vocab.json + merges.txt reproducers: the two files joined by "\n@@@@\n" (fuzz_tokenizer_vocab_merges.cpp).
  for (const auto& [name, key] : std::vector<std::pair<std::string, std::string>>{
           {"vocab_root_is_string", "(root)"}, {"vocab_id_int32_max", "model.vocab"}}) {
    const std::string input = read(dir / "fuzz_tokenizer_vocab_merges" / name);
    const size_t sep = input.find("\n@@@@\n");
    ASSERT_NE(sep, std::string::npos) << name;
    const fs::path d = temp_dir("fuzz_" + name);
    write(d / "vocab.json", input.substr(0, sep));
    write(d / "merges.txt", input.substr(sep + 6));
    expect_load_error(d, {d.string(), key});
    fs::remove_all(d);
  }
}

TEST(TokenizerTiny, WriterOutputLoadsAndRoundTrips) {
  const fs::path d = temp_dir("tiny");
  const auto info = pt::write_tiny_tokenizer_json(d / "tokenizer.json");
  EXPECT_EQ(info.base_vocab_size, 256 + 300);
  EXPECT_EQ(info.vocab_size, info.base_vocab_size + 22);
  EXPECT_EQ(info.special_ids.at("<|endoftext|>"), info.base_vocab_size);
  EXPECT_EQ(info.special_ids.at("<|im_start|>"), info.base_vocab_size + 1);
  EXPECT_EQ(info.special_ids.at("<|video_pad|>"), info.base_vocab_size + 13);
  EXPECT_EQ(info.special_ids.size(), 22u);

  const auto tok = pt::Tokenizer::load(d);
  EXPECT_EQ(tok.vocab_size(), info.vocab_size);
  for (const auto& [content, id] : info.special_ids) EXPECT_EQ(tok.token_id(content), id) << content;
  const std::string text = "<|im_start|>user\nWhat is the person in the video doing? Zürich 🚀 42<|im_end|>\n";
  const auto ids = tok.encode(text);
  EXPECT_EQ(ids.front(), info.special_ids.at("<|im_start|>"));
  EXPECT_EQ(tok.decode(ids), text);
  // The learned merges compress English: fewer tokens than bytes.
  const std::string english = "Answer with the option's letter from the given choices directly.";
  EXPECT_LT(tok.encode(english).size(), english.size() / 2);
  for (const auto id : tok.encode(english)) EXPECT_LT(id, info.base_vocab_size);
  fs::remove_all(d);
}

// make-tiny-model --preset pads the tiny BPE to the real model's vocabulary (issue 21): a random-weight
// model generates arbitrary ids, and each must decode (it threw "cannot decode unknown token id"),
// while encoding and the special ids stay those of the unpadded tokenizer.
TEST(TokenizerTiny, PaddedVocabularyDecodesEveryIdAndEncodesAsBefore) {
  const fs::path d = temp_dir("tiny_padded");
  const auto plain = pt::write_tiny_tokenizer_json(d / "plain.json");
  pt::TinyTokenizerOptions opt;
  opt.vocab_size = plain.vocab_size + 1000;
  const auto padded = pt::write_tiny_tokenizer_json(d / "padded.json", opt);
  EXPECT_EQ(padded.vocab_size, plain.vocab_size + 1000);
  EXPECT_EQ(padded.special_ids, plain.special_ids);
  const auto a = pt::Tokenizer::load(d / "plain.json"), b = pt::Tokenizer::load(d / "padded.json");
  EXPECT_EQ(b.vocab_size(), padded.vocab_size);
  const std::string text = "<|im_start|>user\nWhat happens after <fill_600> the red car stops?<|im_end|>\n";
  EXPECT_EQ(b.encode(text), a.encode(text));  // a filler is text, never produced by BPE
  for (int32_t id = 0; id < padded.vocab_size; ++id) {
    const std::vector<int32_t> one = {id};
    const std::string piece = b.decode(one);
    if (id >= plain.vocab_size) EXPECT_EQ(piece, "<fill_" + std::to_string(id) + ">");
    else EXPECT_EQ(piece, a.decode(one)) << id;
  }
  opt.vocab_size = plain.vocab_size - 1;
  EXPECT_THROW(pt::write_tiny_tokenizer_json(d / "small.json", opt), std::invalid_argument);
  fs::remove_all(d);
}

TEST(TokenizerTiny, DeterministicAndBothMergeFormsAgree) {
  const fs::path d = temp_dir("tiny_det");
  pt::write_tiny_tokenizer_json(d / "a.json");
  pt::write_tiny_tokenizer_json(d / "b.json");
  EXPECT_EQ(read(d / "a.json"), read(d / "b.json"));
  pt::TinyTokenizerOptions opt;
  opt.string_merges = true;
  pt::write_tiny_tokenizer_json(d / "strings.json", opt);
  const json pairs = json::parse(read(d / "a.json")), strings = json::parse(read(d / "strings.json"));
  ASSERT_TRUE(pairs["model"]["merges"][0].is_array());
  ASSERT_TRUE(strings["model"]["merges"][0].is_string());
  const std::string text = "The woman in the red coat is running to catch the bus, isn't she?";
  EXPECT_EQ(pt::Tokenizer::load(d / "a.json").encode(text), pt::Tokenizer::load(d / "strings.json").encode(text));
  fs::remove_all(d);
}

TEST(TokenizerQwenJson, TokenizerJsonMatchesVocabAndMerges) {
  const fs::path qdir = fs::path(PEVLM_SHARED_DIR) / "data" / "qwen2-tokenizer";
  if (!fs::exists(qdir / "vocab.json")) GTEST_SKIP() << "Qwen2 vocabulary not found in " << qdir;
  // Build a Qwen-style tokenizer.json (pair merges) from the two files, as a model folder ships it.
  json j = small_tokenizer_json(true);
  j["model"]["vocab"] = json::parse(read(qdir / "vocab.json"));
  json merges = json::array();
  std::istringstream lines(read(qdir / "merges.txt"));
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.starts_with("#version")) continue;
    const size_t sp = line.find(' ');
    merges.push_back({line.substr(0, sp), line.substr(sp + 1)});
  }
  j["model"]["merges"] = merges;
  j["added_tokens"] = json::array();
  for (const auto& t : pt::qwen2_5_vl_added_tokens()) j["added_tokens"].push_back({{"id", t.id}, {"content", t.content}, {"special", t.special}});
  const fs::path d = temp_dir("qwen_json");
  write(d / "tokenizer.json", j.dump());
  const auto from_json = pt::Tokenizer::load(d / "tokenizer.json");
  const auto from_pair = pt::Tokenizer::load(qdir);
  EXPECT_EQ(from_json.vocab_size(), from_pair.vocab_size());
  const auto cases = json::parse(read(qdir / "cases.json"));
  for (const auto& c : cases) {
    const auto text = c.at("text").get<std::string>();
    EXPECT_EQ(from_json.encode(text), c.at("ids").get<std::vector<int32_t>>()) << text;
  }
  fs::remove_all(d);
}
