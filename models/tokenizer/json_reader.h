// Streaming (SAX) reader for tokenizer.json and vocab.json: the 151k-entry vocabulary and the
// merges go straight into a TokenizerSpec instead of a nlohmann DOM (a std::map node per token),
// which made loading ~3x slower. Everything else in the file becomes a small DOM.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "models/tokenizer/tokenizer.h"

namespace pevlm::tokenizer {

enum class JsonLayout {
  kTokenizerJson,  // {"model": {"vocab": {...}, "merges": [...]}, ...}
  kVocabJson,      // the root object is the vocabulary
};

struct JsonReadResult {
  nlohmann::json rest;  // the document without model.vocab / model.merges (null for kVocabJson)
  bool has_vocab = false;
  bool has_merges = false;
};

// Parses `text` (the content of `file`), appending vocabulary entries and merges to `spec`.
// Throws std::runtime_error naming the file and key on invalid JSON or a wrongly typed entry.
JsonReadResult read_tokenizer_json(const std::string& text, const std::filesystem::path& file, JsonLayout layout,
                                   TokenizerSpec& spec);

// "a b" -> (a, b); false unless exactly one space splits two non-empty parts.
bool split_merge(std::string_view line, std::pair<std::string, std::string>& out);

}  // namespace pevlm::tokenizer
