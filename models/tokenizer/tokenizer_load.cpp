// Loading a Tokenizer from Hugging Face files: tokenizer.json (tokenizers' serialisation) or the
// slow-tokenizer pair vocab.json + merges.txt (transformers' Qwen2Tokenizer / GPT2Tokenizer).
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "models/tokenizer/json_reader.h"
#include "models/tokenizer/pretokenizer.h"
#include "models/tokenizer/qwen_special_tokens.h"
#include "models/tokenizer/tokenizer.h"

namespace pevlm::tokenizer {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

[[noreturn]] void fail(const fs::path& file, const std::string& key, const std::string& what) {
  throw std::runtime_error("tokenizer file " + file.string() + ": key '" + key + "': " + what);
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("tokenizer: cannot open " + file.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json parse_json(const fs::path& file) {
  try {
    return json::parse(read_file(file));
  } catch (const json::parse_error& e) {
    throw std::runtime_error("tokenizer file " + file.string() + ": invalid JSON: " + e.what());
  }
}

// Object `key` of `obj`, or an error naming it.
const json& object_at(const json& obj, const std::string& key, const fs::path& file, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end()) fail(file, path, "missing");
  if (!it->is_object()) fail(file, path, std::string("expected an object, got ") + it->type_name());
  return *it;
}

void read_added_tokens(const json& j, const fs::path& file, TokenizerSpec& spec) {
  auto it = j.find("added_tokens");
  if (it == j.end() || it->is_null()) return;
  if (!it->is_array()) fail(file, "added_tokens", "expected an array");
  for (size_t i = 0; i < it->size(); ++i) {
    const json& t = (*it)[i];
    const std::string key = "added_tokens[" + std::to_string(i) + "]";
    if (!t.is_object() || !t.contains("id") || !t["id"].is_number_integer() || !t.contains("content") || !t["content"].is_string())
      fail(file, key, "expected an object with integer 'id' and string 'content'");
    if (!t["id"].is_number_integer() || t["id"].get<int64_t>() < 0 || t["id"].get<int64_t>() > int64_t(INT32_MAX))
      fail(file, key + ".id", "expected a non-negative 32-bit integer, got " + t["id"].dump());
    spec.added.push_back({t["id"].get<int32_t>(), t["content"].get<std::string>(), t.value("special", false)});
  }
}

// normalizer: null, NFC, or a Sequence of NFC only. Anything else would change the ids silently.
void read_normalizer(const json& j, const fs::path& file, TokenizerSpec& spec) {
  auto it = j.find("normalizer");
  spec.nfc = false;
  if (it == j.end() || it->is_null()) return;
  const std::string type = it->value("type", "");
  if (type == "NFC") {
    spec.nfc = true;
  } else if (type == "Sequence" && it->contains("normalizers") && (*it)["normalizers"].is_array()) {
    for (const json& n : (*it)["normalizers"]) {
      if (n.value("type", "") != "NFC") fail(file, "normalizer.normalizers", "only NFC is supported, got " + n.dump());
      spec.nfc = true;
    }
  } else {
    fail(file, "normalizer", "only null or NFC is supported, got " + it->dump());
  }
}

void check_byte_level(const json& p, const fs::path& file, const std::string& key) {
  if (p.value("add_prefix_space", false)) fail(file, key + ".add_prefix_space", "true is not supported");
}

// pre_tokenizer: ByteLevel (GPT-2 regex) or Sequence[Split(Regex, Isolated), ByteLevel(use_regex=false)].
void read_pre_tokenizer(const json& j, const fs::path& file, TokenizerSpec& spec) {
  auto it = j.find("pre_tokenizer");
  if (it == j.end() || !it->is_object()) fail(file, "pre_tokenizer", "missing; a byte-level BPE needs a ByteLevel pre-tokenizer");
  const std::string type = it->value("type", "");
  if (type == "ByteLevel") {
    check_byte_level(*it, file, "pre_tokenizer");
    if (!it->value("use_regex", true)) fail(file, "pre_tokenizer.use_regex", "false without a Split is not supported");
    spec.pattern = kGpt2Pattern;
    return;
  }
  if (type != "Sequence" || !it->contains("pretokenizers") || !(*it)["pretokenizers"].is_array())
    fail(file, "pre_tokenizer", "expected ByteLevel or Sequence[Split, ByteLevel], got type '" + type + "'");
  const json& seq = (*it)["pretokenizers"];
  if (seq.size() != 2 || seq[0].value("type", "") != "Split" || seq[1].value("type", "") != "ByteLevel")
    fail(file, "pre_tokenizer.pretokenizers", "expected [Split, ByteLevel], got " + seq.dump());
  const json& split = seq[0];
  if (!split.contains("pattern") || !split["pattern"].is_object() || !split["pattern"].contains("Regex") ||
      !split["pattern"]["Regex"].is_string())
    fail(file, "pre_tokenizer.pretokenizers[0].pattern.Regex", "expected a regex string");
  if (split.value("behavior", "Isolated") != "Isolated" || split.value("invert", false))
    fail(file, "pre_tokenizer.pretokenizers[0].behavior", "only Isolated without invert is supported");
  check_byte_level(seq[1], file, "pre_tokenizer.pretokenizers[1]");
  if (seq[1].value("use_regex", false)) fail(file, "pre_tokenizer.pretokenizers[1].use_regex", "true after a Split is not supported");
  spec.pattern = split["pattern"]["Regex"].get<std::string>();
}

void check_model_options(const json& model, const fs::path& file) {
  const std::string type = model.value("type", "BPE");
  if (type != "BPE") fail(file, "model.type", "expected BPE, got " + type);
  if (model.contains("byte_fallback") && model["byte_fallback"].is_boolean() && model["byte_fallback"].get<bool>())
    fail(file, "model.byte_fallback", "byte fallback is not supported (byte-level BPE needs none)");
  for (const char* k : {"continuing_subword_prefix", "end_of_word_suffix"})
    if (model.contains(k) && model[k].is_string() && !model[k].get<std::string>().empty())
      fail(file, std::string("model.") + k, "must be empty for byte-level BPE");
}

}  // namespace

Tokenizer Tokenizer::from_tokenizer_json(const fs::path& file) {
  TokenizerSpec spec;
  spec.source = file.string();
  const JsonReadResult r = read_tokenizer_json(read_file(file), file, JsonLayout::kTokenizerJson, spec);
  const json& j = r.rest;
  if (!j.is_object()) fail(file, "(root)", "expected an object");
  const json& model = object_at(j, "model", file, "model");
  check_model_options(model, file);
  if (!r.has_vocab) fail(file, "model.vocab", model.contains("vocab") ? "expected an object of token -> id" : "missing");
  if (!r.has_merges) fail(file, "model.merges", model.contains("merges") ? "expected an array" : "missing");
  read_added_tokens(j, file, spec);
  read_normalizer(j, file, spec);
  read_pre_tokenizer(j, file, spec);
  return from_spec(spec);
}

namespace {

void read_merges_txt(const fs::path& file, TokenizerSpec& spec) {
  const std::string text = read_file(file);
  std::pair<std::string, std::string> m;
  size_t pos = 0, line_no = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || (line_no == 1 && line.starts_with("#version"))) continue;
    if (!split_merge(line, m)) fail(file, "line " + std::to_string(line_no), "expected \"left right\", got \"" + std::string(line) + "\"");
    spec.merges.push_back(m);
  }
}

// transformers' tokenizer_config.json: {"added_tokens_decoder": {"151643": {"content": ..., "special": ...}}}.
void read_added_tokens_decoder(const fs::path& file, TokenizerSpec& spec) {
  const json j = parse_json(file);
  auto it = j.find("added_tokens_decoder");
  if (it == j.end()) return;
  if (!it->is_object()) fail(file, "added_tokens_decoder", "expected an object of id -> token");
  for (auto t = it->begin(); t != it->end(); ++t) {
    const std::string key = "added_tokens_decoder." + t.key();
    int32_t id = -1;
    try {
      size_t used = 0;
      id = std::stoi(t.key(), &used);
      if (used != t.key().size()) id = -1;
    } catch (const std::exception&) {
    }
    if (id < 0) fail(file, key, "expected a non-negative integer id as the key");
    if (!t->is_object() || !t->contains("content") || !(*t)["content"].is_string()) fail(file, key, "expected an object with string 'content'");
    spec.added.push_back({id, (*t)["content"].get<std::string>(), t->value("special", false)});
  }
}

}  // namespace

Tokenizer Tokenizer::from_vocab_merges(const fs::path& vocab_json, const fs::path& merges_txt, const fs::path& tokenizer_config_json) {
  TokenizerSpec spec;
  spec.source = vocab_json.parent_path().string();
  read_tokenizer_json(read_file(vocab_json), vocab_json, JsonLayout::kVocabJson, spec);
  read_merges_txt(merges_txt, spec);
  if (!tokenizer_config_json.empty() && fs::exists(tokenizer_config_json)) read_added_tokens_decoder(tokenizer_config_json, spec);
  // Without tokenizer_config.json, Qwen2's vocabulary gets the Qwen2.5-VL added tokens (the ids the
  // model's config.json refers to); another vocabulary gets none rather than guessed ids.
  if (spec.added.empty() && spec.vocab.size() == static_cast<size_t>(kQwen2BaseVocabSize)) spec.added = qwen2_5_vl_added_tokens();
  spec.pattern = kQwen2Pattern;  // Qwen2Tokenizer's PRETOKENIZE_REGEX
  spec.nfc = true;               // Qwen2Tokenizer normalises to NFC
  return from_spec(spec);
}

Tokenizer Tokenizer::load(const fs::path& path) {
  if (fs::is_regular_file(path)) return from_tokenizer_json(path);
  if (!fs::is_directory(path)) throw std::runtime_error("tokenizer: " + path.string() + " does not exist");
  if (fs::exists(path / "tokenizer.json")) return from_tokenizer_json(path / "tokenizer.json");
  if (fs::exists(path / "vocab.json") && fs::exists(path / "merges.txt"))
    return from_vocab_merges(path / "vocab.json", path / "merges.txt", path / "tokenizer_config.json");
  throw std::runtime_error("tokenizer: folder " + path.string() + " has neither tokenizer.json nor vocab.json + merges.txt");
}

}  // namespace pevlm::tokenizer
